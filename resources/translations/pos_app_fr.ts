<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr">
<context>
    <name>AmountConfirmDialog</name>
    <message>
        <source>Check the amount</source>
        <translation>Vérifiez le montant</translation>
    </message>
    <message>
        <source>This is a large amount. Read it to the customer:</source>
        <translation>C’est un montant élevé. Lisez-le au client :</translation>
    </message>
    <message>
        <source>from {0} with {1}</source>
        <translation>au {0} avec {1}</translation>
    </message>
    <message>
        <source>Go back</source>
        <translation>Revenir</translation>
    </message>
    <message>
        <source>Charge {0}</source>
        <translation>Encaisser {0}</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>pos-app cannot start</source>
        <translation>pos-app ne peut pas démarrer</translation>
    </message>
</context>
<context>
    <name>BusinessDialog</name>
    <message>
        <source>The whole business — {0}</source>
        <translation>Toute l&apos;affaire — {0}</translation>
    </message>
    <message>
        <source>Asking the owner&apos;s hub…</source>
        <translation>Interrogation du hub du propriétaire…</translation>
    </message>
    <message>
        <source>Shop</source>
        <translation>Boutique</translation>
    </message>
    <message>
        <source>Till</source>
        <translation>Caisse</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>Paiements</translation>
    </message>
    <message>
        <source>Takings</source>
        <translation>Recette</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>En cours</translation>
    </message>
    <message>
        <source>At the hub</source>
        <translation>Au hub</translation>
    </message>
    <message>
        <source>This till&apos;s own figures are not read yet.</source>
        <translation>Les chiffres de cette caisse ne sont pas encore lus.</translation>
    </message>
    <message>
        <source>This till&apos;s own figures: {0} payment(s), takings {1}.</source>
        <translation>Chiffres de cette caisse : {0} paiement(s), recette {1}.</translation>
    </message>
    <message>
        <source>The hub cannot be asked now: {0}</source>
        <translation>Le hub ne peut pas être interrogé maintenant : {0}</translation>
    </message>
    <message>
        <source>{0} till(s) at the hub. Figures are what each till has sent so far.</source>
        <translation>{0} caisse(s) au hub. Les chiffres sont ce que chaque caisse a envoyé jusqu&apos;ici.</translation>
    </message>
    <message>
        <source>{0} (this till)</source>
        <translation>{0} (cette caisse)</translation>
    </message>
    <message>
        <source>history changed: {0}</source>
        <translation>historique modifié : {0}</translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) not yet at the hub</source>
        <translation>
            <numerusform>%n événement pas encore au hub</numerusform>
            <numerusform>%n événements pas encore au hub</numerusform>
        </translation>
    </message>
    <message>
        <source>all of it</source>
        <translation>tout</translation>
    </message>
    <message>
        <source>nothing yet</source>
        <translation>rien encore</translation>
    </message>
</context>
<context>
    <name>ChargePanel</name>
    <message>
        <source>Amount</source>
        <translation>Montant</translation>
    </message>
    <message>
        <source>Type the amount; Enter charges</source>
        <translation>Tapez le montant ; Entrée encaisse</translation>
    </message>
    <message>
        <source>Check customer</source>
        <translation>Vérifier le client</translation>
    </message>
    <message>
        <source>Phone, e.g. 0772 123 456</source>
        <translation>Tél., ex. 0772 123 456</translation>
    </message>
    <message>
        <source>The customer&apos;s phone number, in any usual form</source>
        <translation>Le numéro du client, sous n’importe quelle forme usuelle</translation>
    </message>
    <message>
        <source>Reference (optional)</source>
        <translation>Référence (facultatif)</translation>
    </message>
    <message>
        <source>Your order or invoice reference, kept with the receipt</source>
        <translation>Votre référence de commande ou de facture, gardée avec le reçu</translation>
    </message>
    <message>
        <source>Message (optional)</source>
        <translation>Message (facultatif)</translation>
    </message>
    <message>
        <source>A short message for the customer, sent with the payment request</source>
        <translation>Un court message pour le client, envoyé avec la demande de paiement</translation>
    </message>
    <message>
        <source>Charge</source>
        <translation>Encaisser</translation>
    </message>
    <message>
        <source>Send the payment prompt (Enter)</source>
        <translation>Envoyer la demande de paiement (Entrée)</translation>
    </message>
    <message>
        <source>Show the {0} account holder&apos;s name (Ctrl+K)</source>
        <translation>Afficher le nom du titulaire du compte {0} (Ctrl+K)</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Vérification…</translation>
    </message>
    <message>
        <source>No provider is set up at this till</source>
        <translation>Aucun opérateur n&apos;est configuré sur cette caisse</translation>
    </message>
</context>
<context>
    <name>CounterTab</name>
    <message>
        <source>Name check unavailable — you can still charge</source>
        <translation>Vérification du nom indisponible — vous pouvez encaisser quand même</translation>
    </message>
    <message>
        <source>⚠ No active {0} account on this number</source>
        <translation>⚠ Aucun compte {0} actif sur ce numéro</translation>
    </message>
    <message>
        <source>Account holder: {0}</source>
        <translation>Titulaire du compte : {0}</translation>
    </message>
    <message>
        <source>Not sent: {0}</source>
        <translation>Non envoyé : {0}</translation>
    </message>
    <message>
        <source>Not sent, nothing charged: the provider refused this till&apos;s settings. The owner must check them (Settings).</source>
        <translation>Non envoyé, rien n’a été débité : l’opérateur refuse les réglages de cette caisse. Le propriétaire doit les vérifier (Paramètres).</translation>
    </message>
    <message>
        <source>Today: no payments received yet</source>
        <translation>Aujourd&apos;hui : aucun paiement reçu pour l&apos;instant</translation>
    </message>
    <message>
        <source>{0} ({1} paid)</source>
        <translation>{0} ({1} payés)</translation>
    </message>
    <message>
        <source>refunded {0}</source>
        <translation>remboursé {0}</translation>
    </message>
    <message>
        <source>Today: {0}</source>
        <translation>Aujourd&apos;hui : {0}</translation>
    </message>
</context>
<context>
    <name>DayReport</name>
    <message>
        <source>refund</source>
        <translation>remboursement</translation>
    </message>
    <message>
        <source>paid to the shop&apos;s number</source>
        <translation>payé au numéro de la boutique</translation>
    </message>
    <message>
        <source>Shop</source>
        <translation>Boutique</translation>
    </message>
    <message>
        <source>Till</source>
        <translation>Caisse</translation>
    </message>
    <message>
        <source>all tills</source>
        <translation>toutes les caisses</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>Jour</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>Paiements</translation>
    </message>
    <message>
        <source>Sales (paid)</source>
        <translation>Ventes (payées)</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>Remboursements</translation>
    </message>
    <message>
        <source>Takings (sales − refunds)</source>
        <translation>Recette (ventes − remboursements)</translation>
    </message>
    <message>
        <source>Success rate</source>
        <translation>Taux de réussite</translation>
    </message>
    <message>
        <source>First payment</source>
        <translation>Premier paiement</translation>
    </message>
    <message>
        <source>Last payment</source>
        <translation>Dernier paiement</translation>
    </message>
    <message>
        <source>End-of-day report</source>
        <translation>Rapport de fin de journée</translation>
    </message>
    <message>
        <source>DEMO — {0} (demo mode: no real money moved)</source>
        <translation>DÉMO — {0} (mode démo : aucun argent réel n’a circulé)</translation>
    </message>
    <message>
        <source>Per provider and status</source>
        <translation>Par opérateur et par état</translation>
    </message>
    <message>
        <source>no payments</source>
        <translation>aucun paiement</translation>
    </message>
    <message>
        <source>Sales per hour</source>
        <translation>Ventes par heure</translation>
    </message>
    <message>
        <source>no sales</source>
        <translation>aucune vente</translation>
    </message>
    <message>
        <source>To follow up (still open)</source>
        <translation>À suivre (encore ouverts)</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucun</translation>
    </message>
</context>
<context>
    <name>DiskSpaceLabel</name>
    <message>
        <source>Low disk space: {0} free for receipts</source>
        <translation>Disque presque plein : {0} libres pour les reçus</translation>
    </message>
    <message>
        <source>The disk holding {0} has less than {1} free. Free some space before it fills: with a full disk no charge can be sent.</source>
        <translation>Le disque qui contient {0} a moins de {1} libres. Libérez de la place avant qu’il soit plein : disque plein, aucun paiement ne peut être envoyé.</translation>
    </message>
</context>
<context>
    <name>FindingsDialog</name>
    <message>
        <source>Reconcile day</source>
        <translation>Rapprocher la journée</translation>
    </message>
    <message>
        <source>{0} payment(s) checked, {1} corrected.</source>
        <translation>{0} paiement(s) vérifié(s), {1} corrigé(s).</translation>
    </message>
</context>
<context>
    <name>HubPanel</name>
    <message>
        <source>Hub address</source>
        <translation>Adresse du hub</translation>
    </message>
    <message>
        <source>The one-time code `pos-app hub add-till` printed</source>
        <translation>Le code à usage unique affiché par `pos-app hub add-till`</translation>
    </message>
    <message>
        <source>Enrolment code</source>
        <translation>Code d&apos;inscription</translation>
    </message>
    <message>
        <source>Link this till</source>
        <translation>Relier cette caisse</translation>
    </message>
    <message>
        <source>Send customers&apos; own {0} payments to the hub</source>
        <translation>Envoyer au hub les paiements {0} faits par les clients</translation>
    </message>
    <message>
        <source>This till is linked to {0}.</source>
        <translation>Cette caisse est reliée à {0}.</translation>
    </message>
    <message>
        <source>Not linked: the till asks the providers for each payment&apos;s outcome. The owner&apos;s hub brings receipt codes and customers&apos; own payments.</source>
        <translation>Non reliée : la caisse interroge les opérateurs pour chaque paiement. Le hub du propriétaire apporte les codes de reçu et les paiements faits par les clients.</translation>
    </message>
    <message>
        <source>Linking…</source>
        <translation>Liaison…</translation>
    </message>
    <message>
        <source>The hub refused the code: {0}</source>
        <translation>Le hub a refusé le code : {0}</translation>
    </message>
    <message>
        <source>Linked as till {0} of {1}. Restart pos-app to connect.</source>
        <translation>Reliée comme caisse {0} de {1}. Redémarrez pos-app pour se connecter.</translation>
    </message>
    <message>
        <source>Registering…</source>
        <translation>Enregistrement…</translation>
    </message>
    <message>
        <source>Customers&apos; payments to {0} now reach the hub.</source>
        <translation>Les paiements des clients au {0} arrivent désormais au hub.</translation>
    </message>
</context>
<context>
    <name>HubStatusLabel</name>
    <message>
        <source>history refused by the hub — ask the owner</source>
        <translation>historique refusé par le hub — appelez le propriétaire</translation>
    </message>
    <message numerus="yes">
        <source>%n not yet at the hub</source>
        <translation>
            <numerusform>%n pas encore au hub</numerusform>
            <numerusform>%n pas encore au hub</numerusform>
        </translation>
    </message>
    <message>
        <source>The owner&apos;s hub relays the providers&apos; callbacks: payments end sooner and receipt codes arrive by themselves. Without it the till asks the providers. Every receipt is also sent to the hub, for the owner&apos;s view of the business.</source>
        <translation>Le hub du propriétaire relaie les rappels des opérateurs : les paiements aboutissent plus vite et les codes de reçu arrivent d&apos;eux-mêmes. Sans lui, la caisse interroge les opérateurs. Chaque reçu est aussi envoyé au hub, pour la vue d&apos;ensemble du propriétaire.</translation>
    </message>
    <message>
        <source>Hub: not set up</source>
        <translation>Hub : non configuré</translation>
    </message>
    <message>
        <source>Hub: connecting…</source>
        <translation>Hub : connexion…</translation>
    </message>
    <message>
        <source>Hub: connected</source>
        <translation>Hub : connecté</translation>
    </message>
    <message>
        <source>Hub: reconnecting… (asking the providers)</source>
        <translation>Hub : reconnexion… (la caisse interroge les opérateurs)</translation>
    </message>
    <message>
        <source>Hub: this till&apos;s key is refused — ask the owner</source>
        <translation>Hub : la clé de cette caisse est refusée — voir le propriétaire</translation>
    </message>
</context>
<context>
    <name>IncomingPayments</name>
    <message>
        <source>Paid to the shop&apos;s number</source>
        <translation>Payé au numéro de la boutique</translation>
    </message>
    <message>
        <source>Take for this sale</source>
        <translation>Prendre pour cette vente</translation>
    </message>
    <message>
        <source>Cannot reach the hub: {0}</source>
        <translation>Hub injoignable : {0}</translation>
    </message>
    <message>
        <source>Already taken at another till: not for this sale.</source>
        <translation>Déjà pris à une autre caisse : pas pour cette vente.</translation>
    </message>
    <message>
        <source>Not taken: {0}</source>
        <translation>Non pris : {0}</translation>
    </message>
    <message>
        <source>Taken: {0} {1}, code {2}, recorded paid.</source>
        <translation>Pris : {0} {1}, code {2}, enregistré payé.</translation>
    </message>
</context>
<context>
    <name>Keyring</name>
    <message>
        <source>No secure keyring: install and unlock GNOME Keyring or KWallet (or set the secrets as environment variables)</source>
        <translation>Pas de trousseau sécurisé : installez et déverrouillez GNOME Keyring ou KWallet (ou donnez les secrets par des variables d’environnement)</translation>
    </message>
    <message>
        <source>No secure keyring: unlock the login keychain in Keychain Access (or set the secrets as environment variables)</source>
        <translation>Pas de trousseau sécurisé : déverrouillez le trousseau de session dans Trousseaux d’accès (ou donnez les secrets par des variables d’environnement)</translation>
    </message>
    <message>
        <source>No secure keyring: Windows Credential Manager is not reachable; reinstall pos-app (or set the secrets as environment variables)</source>
        <translation>Pas de trousseau sécurisé : le Gestionnaire d’identification Windows est injoignable ; réinstallez pos-app (ou donnez les secrets par des variables d’environnement)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>DEMO — no real money moves</source>
        <translation>DÉMO — aucun argent réel n&apos;est débité</translation>
    </message>
    <message>
        <source>Counter (Ctrl+1)</source>
        <translation>Caisse (Ctrl+1)</translation>
    </message>
    <message>
        <source>Receipts (Ctrl+2)</source>
        <translation>Reçus (Ctrl+2)</translation>
    </message>
    <message>
        <source>Day report (Ctrl+3)</source>
        <translation>Rapport du jour (Ctrl+3)</translation>
    </message>
    <message>
        <source>settings to check</source>
        <translation>réglages à vérifier</translation>
    </message>
    <message>
        <source>{0} unfinished</source>
        <translation>{0} en cours</translation>
    </message>
    <message>
        <source>pos-app keeps running</source>
        <translation>pos-app reste ouvert</translation>
    </message>
    <message>
        <source>{0} payment outcome(s) could not be saved yet ({1}) and exist only in this window. pos-app saves them as soon as the disk takes them; close it after that.</source>
        <translation>{0} résultat(s) de paiement n’ont pas encore pu être enregistrés ({1}) et n’existent que dans cette fenêtre. pos-app les enregistre dès que le disque les accepte ; fermez-le ensuite.</translation>
    </message>
    <message>
        <source>unreachable (paused)</source>
        <translation>injoignable (en pause)</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>unreachable</source>
        <translation>injoignable</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>the provider never received it: nothing was charged</source>
        <translation>l’opérateur ne l’a jamais reçu : rien n’a été débité</translation>
    </message>
    <message>
        <source>{provider} is not set up at this till: check it there</source>
        <translation>{provider} n’est pas configuré sur cette caisse : vérifiez sur la caisse concernée</translation>
    </message>
    <message>
        <source>never sent: nothing was charged</source>
        <translation>jamais envoyé : rien n’a été débité</translation>
    </message>
    <message>
        <source>the provider refused the question: {problem}</source>
        <translation>l’opérateur a refusé la demande : {problem}</translation>
    </message>
    <message>
        <source>the provider says it succeeded</source>
        <translation>l’opérateur indique qu’il a réussi</translation>
    </message>
    <message>
        <source>the provider says it failed</source>
        <translation>l’opérateur indique qu’il a échoué</translation>
    </message>
    <message>
        <source>still pending at the provider</source>
        <translation>toujours en attente chez l’opérateur</translation>
    </message>
    <message>
        <source>not found at the provider yet: run the reconciliation again later</source>
        <translation>pas encore trouvé chez l’opérateur : relancez le rapprochement plus tard</translation>
    </message>
    <message>
        <source>Airtel has no paid payment under this Airtel id to refund ({code})</source>
        <translation>Airtel n&apos;a aucun paiement réglé sous cet identifiant Airtel à rembourser ({code})</translation>
    </message>
    <message>
        <source>{provider} unreachable (retrying in {seconds} s)</source>
        <translation>{provider} injoignable (nouvel essai dans {seconds} s)</translation>
    </message>
    <message>
        <source>{provider} reachable</source>
        <translation>{provider} joignable</translation>
    </message>
    <message>
        <source>{provider} {what} is unreachable (paused for {seconds} s after repeated failures)</source>
        <translation>{provider} {what} est injoignable (en pause pendant {seconds} s après des échecs répétés)</translation>
    </message>
    <message>
        <source>{provider} {what}: no clear answer ({problem}); not sent again, it may have arrived</source>
        <translation>{provider} {what} : pas de réponse claire ({problem}) ; pas renvoyé, la demande est peut-être arrivée</translation>
    </message>
    <message>
        <source>Type the MTN Collection subscription key from momodeveloper.mtn.com first</source>
        <translation>Tapez d&apos;abord la clé d&apos;abonnement Collection MTN (momodeveloper.mtn.com)</translation>
    </message>
    <message>
        <source>confirm it by hand with the code from {provider}&apos;s reversal message</source>
        <translation>confirmez-le à la main avec le code du message d’annulation {provider}</translation>
    </message>
    <message>
        <source>{provider} cannot be asked: enter the code from the customer&apos;s SMS, or record it as not received</source>
        <translation>{provider} ne peut pas être interrogé : saisissez le code du SMS du client, ou notez que rien n’a été reçu</translation>
    </message>
    <message>
        <source>Airtel refuses fresh access tokens</source>
        <translation>Airtel refuse les nouveaux jetons d&apos;accès</translation>
    </message>
    <message>
        <source>Airtel {country} numbers have {digits} digits after the country code</source>
        <translation>Les numéros Airtel {country} ont {digits} chiffres après l&apos;indicatif du pays</translation>
    </message>
    <message>
        <source>this Airtel account takes {currency}, not {other}</source>
        <translation>ce compte Airtel encaisse en {currency}, pas en {other}</translation>
    </message>
    <message>
        <source>Airtel answered HTTP {status} to {what}{detail}</source>
        <translation>Airtel a répondu HTTP {status} à {what}{detail}</translation>
    </message>
    <message>
        <source>Airtel refused the signature of {what} ({detail}): check message signing and its key padding (airtel.message_signing, airtel.signing_padding in Settings); the encryption key is fetched again on the next payment</source>
        <translation>Airtel a refusé la signature de {what} ({detail}) : vérifiez la signature des messages et le bourrage de sa clé (airtel.message_signing, airtel.signing_padding dans les Paramètres) ; la clé de chiffrement sera de nouveau demandée au prochain paiement</translation>
    </message>
    <message>
        <source>Airtel declined {what} (HTTP 403): it answers only calls from the addresses on the app&apos;s Server IP Allowed List. Send Airtel&apos;s calls through a proxy with a fixed, allow-listed address (airtel.proxy in Settings; README: Airtel through a proxy)</source>
        <translation>Airtel a décliné {what} (HTTP 403) : il ne répond qu&apos;aux appels venant des adresses de la liste « Server IP Allowed List » de l&apos;application. Faites passer les appels Airtel par un proxy à adresse fixe, inscrite sur cette liste (airtel.proxy dans les Paramètres ; README : Airtel through a proxy)</translation>
    </message>
    <message>
        <source>Airtel answered HTTP {status} with a body that is not a JSON object ({body})</source>
        <translation>Airtel a répondu HTTP {status} avec un corps qui n&apos;est pas un objet JSON ({body})</translation>
    </message>
    <message>
        <source>Airtel refused the client id or secret ({code}): {keys} (AIRTEL_CLIENT_ID, AIRTEL_CLIENT_SECRET), enter the app&apos;s keys for this environment; a new app works only once Airtel has approved it</source>
        <translation>Airtel a refusé l&apos;identifiant client ou le secret ({code}) : {keys} (AIRTEL_CLIENT_ID, AIRTEL_CLIENT_SECRET), saisissez les clés de l&apos;application pour cet environnement ; une nouvelle application ne fonctionne qu&apos;une fois approuvée par Airtel</translation>
    </message>
    <message>
        <source>Airtel could not say whether {what} was taken ({code}); it is asked about</source>
        <translation>Airtel n&apos;a pas pu dire si {what} a été pris en compte ({code}) ; la question lui est posée</translation>
    </message>
    <message>
        <source>Airtel refused this app&apos;s set-up for {what} ({detail}): check the shop&apos;s country, the currency, message signing, and the products and countries of the app on Airtel&apos;s portal</source>
        <translation>Airtel a refusé la configuration de cette application pour {what} ({detail}) : vérifiez le pays de la boutique, la devise, la signature des messages, et les produits et pays de l&apos;application sur le portail Airtel</translation>
    </message>
    <message>
        <source>Airtel answered HTTP {status} to {what} (check airtel.base_url)</source>
        <translation>Airtel a répondu HTTP {status} à {what} (vérifiez airtel.base_url)</translation>
    </message>
    <message>
        <source>Airtel Money is not set up: its client id and client secret are missing (see the README: Airtel Money)</source>
        <translation>Airtel Money n&apos;est pas configuré : son identifiant client et son secret client manquent (voir le README : Airtel Money)</translation>
    </message>
    <message>
        <source>the proxy refused the way to {provider} ({detail}): check the proxy setting and its password (Settings)</source>
        <translation>le proxy a refusé le passage vers {provider} ({detail}) : vérifiez le réglage du proxy et son mot de passe (Paramètres)</translation>
    </message>
    <message>
        <source>{provider} {what} did not answer properly after {attempts} attempts (last: {problem})</source>
        <translation>{provider} {what} n&apos;a pas répondu correctement après {attempts} essais (dernier : {problem})</translation>
    </message>
    <message>
        <source>[mpesa] party_b must be the till number for Buy Goods</source>
        <translation>[mpesa] party_b doit être le numéro de caisse (till) pour Buy Goods</translation>
    </message>
    <message>
        <source>M-Pesa refused the payment prompt: {why}</source>
        <translation>M-Pesa a refusé la demande de paiement : {why}</translation>
    </message>
    <message>
        <source>M-Pesa refused {what}: {why}</source>
        <translation>M-Pesa a refusé {what} : {why}</translation>
    </message>
    <message>
        <source>M-Pesa refuses fresh access tokens: is the M-Pesa Express product enabled for this Daraja app, and are the keys for this environment?</source>
        <translation>M-Pesa refuse les nouveaux jetons d&apos;accès : le produit M-Pesa Express est-il activé pour cette application Daraja, et les clés sont-elles celles de cet environnement ?</translation>
    </message>
    <message>
        <source>M-Pesa refused the C2B URLs: {why}</source>
        <translation>M-Pesa a refusé les URL C2B : {why}</translation>
    </message>
    <message>
        <source>M-Pesa has C2B URLs for {shortcode} already: delete them in Daraja&apos;s URL Management (Self Services), then run this again</source>
        <translation>M-Pesa a déjà des URL C2B pour {shortcode} : supprimez-les dans URL Management de Daraja (Self Services), puis relancez</translation>
    </message>
    <message>
        <source>cannot reach M-Pesa: {error}</source>
        <translation>M-Pesa injoignable : {error}</translation>
    </message>
    <message>
        <source>M-Pesa sends a reversal&apos;s result to the ResultURL only: confirm the refund with the code from M-Pesa&apos;s reversal message</source>
        <translation>M-Pesa n&apos;envoie le résultat d&apos;une annulation qu&apos;à la ResultURL : confirmez le remboursement avec le code du message d&apos;annulation M-Pesa</translation>
    </message>
    <message>
        <source>M-Pesa does not tell a till who holds a number</source>
        <translation>M-Pesa n’indique pas à une caisse qui détient un numéro</translation>
    </message>
    <message>
        <source>this M-Pesa payment has no CheckoutRequestID (its prompt&apos;s answer was lost): check the customer&apos;s confirmation SMS</source>
        <translation>ce paiement M-Pesa n&apos;a pas de CheckoutRequestID (la réponse à sa demande a été perdue) : vérifiez le SMS de confirmation du client</translation>
    </message>
    <message>
        <source>M-Pesa refunds need [mpesa] initiator_name, certificate, result_url and the initiator password</source>
        <translation>les remboursements M-Pesa demandent [mpesa] initiator_name, certificate, result_url et le mot de passe de l&apos;initiateur</translation>
    </message>
    <message>
        <source>add the M-Pesa code from the customer&apos;s SMS before refunding</source>
        <translation>ajoutez le code M-Pesa du SMS du client avant de rembourser</translation>
    </message>
    <message>
        <source>M-Pesa needs [mpesa] callback_url: a public https URL (Daraja refuses a push without one, even though pos-app learns the outcome by asking)</source>
        <translation>M-Pesa demande [mpesa] callback_url : une URL https publique (Daraja refuse une demande sans elle, même si pos-app apprend le résultat en le demandant)</translation>
    </message>
    <message>
        <source>[mpesa] callback_url must be a public https URL, not {url}</source>
        <translation>[mpesa] callback_url doit être une URL https publique, pas {url}</translation>
    </message>
    <message>
        <source>[mpesa] callback_url must be public, not a local address</source>
        <translation>[mpesa] callback_url doit être publique, pas une adresse locale</translation>
    </message>
    <message>
        <source>[mpesa] callback_url must not contain the word &apos;mpesa&apos; (Daraja refuses such URLs)</source>
        <translation>[mpesa] callback_url ne doit pas contenir le mot &apos;mpesa&apos; (Daraja refuse ces URL)</translation>
    </message>
    <message>
        <source>the M-Pesa certificate does not hold an RSA key</source>
        <translation>le certificat M-Pesa ne contient pas de clé RSA</translation>
    </message>
    <message>
        <source>the M-Pesa certificate file is not an X.509 certificate</source>
        <translation>le fichier du certificat M-Pesa n&apos;est pas un certificat X.509</translation>
    </message>
    <message>
        <source>{why}: refunds are reversed by hand in the M-Pesa portal until it is fixed</source>
        <translation>{why} : les remboursements se font à la main dans le portail M-Pesa jusqu&apos;à ce que ce soit corrigé</translation>
    </message>
    <message>
        <source>MTN refused the {product} subscription key (is it the key of the {title} product, and is the subscription active?)</source>
        <translation>MTN a refusé la clé d&apos;abonnement {product} (est-ce bien la clé du produit {title}, et l&apos;abonnement est-il actif ?)</translation>
    </message>
    <message>
        <source>MTN answered HTTP {status} to {what}{detail}</source>
        <translation>MTN a répondu HTTP {status} à {what}{detail}</translation>
    </message>
    <message>
        <source>no MTN {product} subscription key is configured</source>
        <translation>aucune clé d&apos;abonnement MTN {product} n&apos;est configurée</translation>
    </message>
    <message>
        <source>MTN answered HTTP {status} to {what} (check mtn.base_url)</source>
        <translation>MTN a répondu HTTP {status} à {what} (vérifiez mtn.base_url)</translation>
    </message>
    <message>
        <source>MTN refuses fresh {product} access tokens</source>
        <translation>MTN refuse les nouveaux jetons d&apos;accès {product}</translation>
    </message>
    <message>
        <source>M-Pesa refused the consumer key or secret ({detail}): in Settings, or the keyring entries mpesa.consumer_key and mpesa.consumer_secret (MPESA_CONSUMER_KEY, MPESA_CONSUMER_SECRET), enter the pair of the Daraja app made for this environment</source>
        <translation>M-Pesa refuse la clé ou le secret consommateur ({detail}) : dans les Paramètres, ou les entrées du trousseau mpesa.consumer_key et mpesa.consumer_secret (MPESA_CONSUMER_KEY, MPESA_CONSUMER_SECRET), saisissez la paire de l&apos;application Daraja créée pour cet environnement</translation>
    </message>
    <message>
        <source>MTN refused the {product} API user or API key ({code}): in Settings, or the keyring entries mtn.api_user and mtn.api_key (MTN_MOMO_API_USER, MTN_MOMO_API_KEY), enter the pair made for this environment</source>
        <translation>MTN refuse l&apos;utilisateur API ou la clé API {product} ({code}) : dans les Paramètres, ou les entrées du trousseau mtn.api_user et mtn.api_key (MTN_MOMO_API_USER, MTN_MOMO_API_KEY), saisissez la paire créée pour cet environnement</translation>
    </message>
    <message>
        <source>MTN sandbox refused {what}: HTTP {status}{detail}</source>
        <translation>le bac à sable MTN a refusé {what} : HTTP {status}{detail}</translation>
    </message>
    <message>
        <source>{provider} is not set up at this till</source>
        <translation>{provider} n’est pas configuré sur cette caisse</translation>
    </message>
    <message>
        <source>The payment failed ({code})</source>
        <translation>Le paiement a échoué ({code})</translation>
    </message>
    <message>
        <source>no clear answer from the provider: run the reconciliation again later</source>
        <translation>pas de réponse claire de l’opérateur : relancez le rapprochement plus tard</translation>
    </message>
    <message>
        <source>MTN sandbox API user {user} created on {url}; its API key is in the keyring</source>
        <translation>Utilisateur API sandbox MTN {user} créé sur {url} ; sa clé API est dans le trousseau</translation>
    </message>
    <message>
        <source>MTN is not set up: its API user, API key and subscription key are missing (run `pos-app mtn-setup` for the sandbox)</source>
        <translation>MTN n’est pas configuré : il manque son utilisateur API, sa clé API et sa clé d’abonnement (lancez `pos-app mtn-setup` pour le bac à sable)</translation>
    </message>
    <message>
        <source>M-Pesa is not set up: its consumer key, consumer secret and passkey are missing</source>
        <translation>M-Pesa n’est pas configuré : il manque sa clé client, son secret client et sa clé d’accès (passkey)</translation>
    </message>
    <message>
        <source>cannot read [mpesa] certificate {path}: {why}</source>
        <translation>impossible de lire le certificat [mpesa] {path} : {why}</translation>
    </message>
</context>
<context>
    <name>NewPinDialog</name>
    <message>
        <source>Change the owner PIN</source>
        <translation>Changer le code du gérant</translation>
    </message>
    <message>
        <source>Current PIN</source>
        <translation>Code actuel</translation>
    </message>
    <message>
        <source>New PIN</source>
        <translation>Nouveau code</translation>
    </message>
    <message>
        <source>Same PIN again</source>
        <translation>Le même code encore</translation>
    </message>
</context>
<context>
    <name>OwnerActions</name>
    <message>
        <source>Owner…</source>
        <translation>Gérant…</translation>
    </message>
    <message>
        <source>Reconcile the day, check the database, owner PIN</source>
        <translation>Rapprocher la journée, vérifier la base, code du gérant</translation>
    </message>
    <message>
        <source>Reconcile today…</source>
        <translation>Rapprocher aujourd&apos;hui…</translation>
    </message>
    <message>
        <source>Check the database</source>
        <translation>Vérifier la base de données</translation>
    </message>
    <message>
        <source>Set or change the owner PIN…</source>
        <translation>Choisir ou changer le code du gérant…</translation>
    </message>
    <message>
        <source>Receipt printer…</source>
        <translation>Imprimante de reçus…</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Paramètres…</translation>
    </message>
    <message>
        <source>Shop, providers, credentials and language (Ctrl+,)</source>
        <translation>Boutique, opérateurs, identifiants et langue (Ctrl+,)</translation>
    </message>
    <message>
        <source>History intact: {0} events, {1} payments, {2} owner actions.</source>
        <translation>Historique intact : {0} événements, {1} paiements, {2} actions du gérant.</translation>
    </message>
    <message>
        <source>The database was changed outside pos-app: {0}</source>
        <translation>La base de données a été modifiée hors de pos-app : {0}</translation>
    </message>
    <message>
        <source>Save the day&apos;s report</source>
        <translation>Enregistrer le rapport du jour</translation>
    </message>
    <message>
        <source>Saved {0}</source>
        <translation>Enregistré : {0}</translation>
    </message>
    <message>
        <source>Could not save {0}: {1}</source>
        <translation>Impossible d’enregistrer {0} : {1}</translation>
    </message>
</context>
<context>
    <name>PaymentCard</name>
    <message>
        <source>Charge again</source>
        <translation>Encaisser à nouveau</translation>
    </message>
    <message>
        <source>Receipt…</source>
        <translation>Reçu…</translation>
    </message>
    <message>
        <source>Print the receipt or save it as PDF</source>
        <translation>Imprimer le reçu ou l’enregistrer en PDF</translation>
    </message>
    <message>
        <source>{0} from the customer&apos;s SMS, e.g. {1}</source>
        <translation>{0} du SMS du client, ex. {1}</translation>
    </message>
    <message>
        <source>Save code</source>
        <translation>Enregistrer le code</translation>
    </message>
    <message>
        <source>Print again</source>
        <translation>Imprimer à nouveau</translation>
    </message>
    <message>
        <source>{0} — not yet saved: {1}</source>
        <translation>{0} — pas encore enregistré : {1}</translation>
    </message>
    <message>
        <source>Stop waiting</source>
        <translation>Ne plus attendre</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Terminé</translation>
    </message>
    <message>
        <source>Hide this card; the payment keeps being followed</source>
        <translation>Masquer cette carte ; le paiement reste suivi</translation>
    </message>
    <message>
        <source>Sending the prompt…</source>
        <translation>Envoi de la demande…</translation>
    </message>
    <message>
        <source>Waiting for the customer to approve · {0}</source>
        <translation>En attente de l&apos;accord du client · {0}</translation>
    </message>
    <message>
        <source>Ask the customer to enter their PIN on the phone</source>
        <translation>Demandez au client de saisir son code PIN sur le téléphone</translation>
    </message>
    <message>
        <source>Code typed from the customer&apos;s SMS</source>
        <translation>Code saisi depuis le SMS du client</translation>
    </message>
    <message>
        <source>✔ PAID · receipt {0}</source>
        <translation>✔ PAYÉ · reçu {0}</translation>
    </message>
    <message>
        <source>✔ PAID</source>
        <translation>✔ PAYÉ</translation>
    </message>
    <message>
        <source>? NOT KNOWN whether the customer paid</source>
        <translation>? ON NE SAIT PAS si le client a payé</translation>
    </message>
    <message>
        <source>Check the customer&apos;s confirmation SMS before charging again</source>
        <translation>Vérifiez le SMS de confirmation du client avant d&apos;encaisser à nouveau</translation>
    </message>
    <message>
        <source>↩ REFUNDED</source>
        <translation>↩ REMBOURSÉ</translation>
    </message>
    <message>
        <source>✖ EXPIRED</source>
        <translation>✖ EXPIRÉ</translation>
    </message>
    <message>
        <source>✖ REFUSED</source>
        <translation>✖ REFUSÉ</translation>
    </message>
    <message>
        <source>✔ PAID · {0} {1}</source>
        <translation>✔ PAYÉ · {0} {1}</translation>
    </message>
    <message>
        <source>The {0} is in the customer&apos;s SMS (optional to record)</source>
        <translation>Le {0} est dans le SMS du client (enregistrement facultatif)</translation>
    </message>
    <message>
        <source>↩ REFUND MADE · {0}</source>
        <translation>↩ REMBOURSÉ · {0}</translation>
    </message>
    <message>
        <source>✖ REFUND NOT MADE · {0}</source>
        <translation>✖ REMBOURSEMENT NON FAIT · {0}</translation>
    </message>
    <message>
        <source>↩ Refund waiting for the owner&apos;s confirmation</source>
        <translation>↩ Remboursement en attente de la confirmation du gérant</translation>
    </message>
    <message>
        <source>Reverse it in {0} if not sent from here; then Receipt… → Resolve</source>
        <translation>Annulez-le dans {0} s&apos;il n&apos;a pas été envoyé d&apos;ici ; puis Reçu… → Régler</translation>
    </message>
    <message>
        <source>↩ Refund on its way…</source>
        <translation>↩ Remboursement en cours…</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <source>Owner PIN</source>
        <translation>Code du gérant</translation>
    </message>
    <message>
        <source>Choose the owner&apos;s PIN (4 to 12 digits). Owner actions will ask for it.</source>
        <translation>Choisissez le code du gérant (4 à 12 chiffres). Les actions du gérant le demanderont.</translation>
    </message>
    <message>
        <source>Owner only: enter the owner&apos;s PIN.</source>
        <translation>Réservé au gérant : saisissez le code du gérant.</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Same PIN again</source>
        <translation>Le même code encore</translation>
    </message>
    <message>
        <source>Too many wrong PINs: owner actions are locked for {0} s.</source>
        <translation>Trop de codes erronés : les actions du gérant sont bloquées pendant {0} s.</translation>
    </message>
</context>
<context>
    <name>Printer</name>
    <message>
        <source>printer not answering</source>
        <translation>l’imprimante ne répond pas</translation>
    </message>
    <message>
        <source>printer out of paper</source>
        <translation>l’imprimante n’a plus de papier</translation>
    </message>
    <message>
        <source>printer offline (cover open or paper out?)</source>
        <translation>imprimante hors ligne (capot ouvert ou plus de papier ?)</translation>
    </message>
    <message>
        <source>this computer cannot drive that printer</source>
        <translation>cet ordinateur ne peut pas piloter cette imprimante</translation>
    </message>
    <message>
        <source>printer still busy with an earlier job</source>
        <translation>imprimante encore occupée par une impression précédente</translation>
    </message>
    <message>
        <source>the printer did not confirm it</source>
        <translation>l’imprimante ne l’a pas confirmé</translation>
    </message>
    <message>
        <source>Receipt not printed: {0} — Print again</source>
        <translation>Reçu non imprimé : {0} — Imprimer à nouveau</translation>
    </message>
    <message>
        <source>Receipt sent, but {0}: see whether it came out — Print again if not</source>
        <translation>Reçu envoyé, mais {0} : vérifiez s’il est sorti — sinon, Imprimer à nouveau</translation>
    </message>
    <message>
        <source>Z report not printed: {0} — Print again</source>
        <translation>Rapport Z non imprimé : {0} — Imprimer à nouveau</translation>
    </message>
    <message>
        <source>Z report sent, but {0}: see whether it came out</source>
        <translation>Rapport Z envoyé, mais {0} : vérifiez s’il est sorti</translation>
    </message>
</context>
<context>
    <name>PrinterSettingsDialog</name>
    <message>
        <source>Receipt printer</source>
        <translation>Imprimante de reçus</translation>
    </message>
    <message>
        <source>No printer</source>
        <translation>Pas d’imprimante</translation>
    </message>
    <message>
        <source>This computer&apos;s printer (its driver and print dialog)</source>
        <translation>L’imprimante de cet ordinateur (son pilote et sa fenêtre d’impression)</translation>
    </message>
    <message>
        <source>Thermal printer on the network (ESC/POS)</source>
        <translation>Imprimante thermique sur le réseau (ESC/POS)</translation>
    </message>
    <message>
        <source>Thermal printer on USB (ESC/POS)</source>
        <translation>Imprimante thermique en USB (ESC/POS)</translation>
    </message>
    <message>
        <source>Thermal printer on a serial port (ESC/POS)</source>
        <translation>Imprimante thermique sur port série (ESC/POS)</translation>
    </message>
    <message>
        <source>Thermal printer through Windows (raw ESC/POS)</source>
        <translation>Imprimante thermique via Windows (ESC/POS brut)</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>Imprimante</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <source>Vendor id (hex)</source>
        <translation>Identifiant fabricant (hexa)</translation>
    </message>
    <message>
        <source>Product id (hex)</source>
        <translation>Identifiant produit (hexa)</translation>
    </message>
    <message>
        <source>Speed (baud)</source>
        <translation>Vitesse (bauds)</translation>
    </message>
    <message>
        <source>Printer name</source>
        <translation>Nom de l’imprimante</translation>
    </message>
    <message>
        <source>Paper</source>
        <translation>Papier</translation>
    </message>
    <message>
        <source>the paper&apos;s usual</source>
        <translation>selon le papier</translation>
    </message>
    <message>
        <source>Characters per line</source>
        <translation>Caractères par ligne</translation>
    </message>
    <message>
        <source>For accented letters (é, à, ç); AUTO suits most</source>
        <translation>Pour les lettres accentuées (é, à, ç) ; AUTO convient le plus souvent</translation>
    </message>
    <message>
        <source>Code page</source>
        <translation>Page de code</translation>
    </message>
    <message>
        <source>Print the receipt as soon as a payment is paid</source>
        <translation>Imprimer le reçu dès qu’un paiement est payé</translation>
    </message>
    <message>
        <source>Copies</source>
        <translation>Copies</translation>
    </message>
    <message>
        <source>Ask the printer whether it is ready and printed</source>
        <translation>Demander à l’imprimante si elle est prête et a imprimé</translation>
    </message>
    <message>
        <source>Turn off only for a printer that never answers: a receipt then counts as printed once sent</source>
        <translation>À désactiver seulement pour une imprimante qui ne répond jamais : un reçu compte alors comme imprimé dès qu’il est envoyé</translation>
    </message>
    <message>
        <source>{0} is set: this till prints on {1} until it is removed</source>
        <translation>{0} est défini : cette caisse imprime sur {1} tant qu’il n’est pas retiré</translation>
    </message>
    <message>
        <source>Print test page</source>
        <translation>Imprimer une page de test</translation>
    </message>
    <message>
        <source>Printing the test page…</source>
        <translation>Impression de la page de test…</translation>
    </message>
    <message>
        <source>Test page sent: check it came out right</source>
        <translation>Page de test envoyée : vérifiez qu’elle est bien sortie</translation>
    </message>
    <message>
        <source>Test page not printed: {0}</source>
        <translation>Page de test non imprimée : {0}</translation>
    </message>
</context>
<context>
    <name>Reasons</name>
    <message>
        <source>No MoMo account for this number</source>
        <translation>Aucun compte MoMo pour ce numéro</translation>
    </message>
    <message>
        <source>Check the number, or ask for another MoMo number</source>
        <translation>Vérifiez le numéro ou demandez un autre numéro MoMo</translation>
    </message>
    <message>
        <source>The shop&apos;s MoMo account was not found</source>
        <translation>Le compte MoMo de la boutique est introuvable</translation>
    </message>
    <message>
        <source>MTN did not allow this payment</source>
        <translation>MTN n&apos;a pas autorisé ce paiement</translation>
    </message>
    <message>
        <source>Ask the customer to contact MTN or pay another way</source>
        <translation>Demandez au client de contacter MTN ou de payer autrement</translation>
    </message>
    <message>
        <source>Shop setup problem: ask the owner to check the provider settings</source>
        <translation>Problème de configuration : demandez au gérant de vérifier les paramètres de l’opérateur</translation>
    </message>
    <message>
        <source>The provider says it failed, but its callback said paid</source>
        <translation>L&apos;opérateur dit qu&apos;il a échoué, mais sa notification disait payé</translation>
    </message>
    <message>
        <source>Check the customer&apos;s confirmation SMS before charging again</source>
        <translation>Vérifiez le SMS de confirmation du client avant d&apos;encaisser à nouveau</translation>
    </message>
    <message>
        <source>Wrong currency for this MTN account</source>
        <translation>Mauvaise devise pour ce compte MTN</translation>
    </message>
    <message>
        <source>MTN is unavailable right now</source>
        <translation>MTN est indisponible pour le moment</translation>
    </message>
    <message>
        <source>MTN could not process it (often: not enough money)</source>
        <translation>MTN n&apos;a pas pu le traiter (souvent : solde insuffisant)</translation>
    </message>
    <message>
        <source>Ask the customer to check their MoMo balance</source>
        <translation>Demandez au client de vérifier son solde MoMo</translation>
    </message>
    <message>
        <source>Not enough money on the customer&apos;s MoMo account</source>
        <translation>Solde insuffisant sur le compte MoMo du client</translation>
    </message>
    <message>
        <source>Ask the customer to top up, then charge again</source>
        <translation>Demandez au client de recharger, puis encaissez à nouveau</translation>
    </message>
    <message>
        <source>The customer&apos;s MoMo limit is reached</source>
        <translation>Le plafond MoMo du client est atteint</translation>
    </message>
    <message>
        <source>Ask the customer to pay another way</source>
        <translation>Demandez au client de payer autrement</translation>
    </message>
    <message>
        <source>The shop&apos;s MoMo account cannot receive money</source>
        <translation>Le compte MoMo de la boutique ne peut pas recevoir d’argent</translation>
    </message>
    <message>
        <source>The customer did not approve the payment</source>
        <translation>Le client n&apos;a pas validé le paiement</translation>
    </message>
    <message>
        <source>Ask the customer to approve the prompt on their phone</source>
        <translation>Demandez au client de valider la demande sur son téléphone</translation>
    </message>
    <message>
        <source>MTN never received this payment</source>
        <translation>MTN n&apos;a jamais reçu ce paiement</translation>
    </message>
    <message>
        <source>Customer rejected the payment on their phone</source>
        <translation>Le client a refusé le paiement sur son téléphone</translation>
    </message>
    <message>
        <source>Ask the customer whether they want to pay</source>
        <translation>Demandez au client s’il veut payer</translation>
    </message>
    <message>
        <source>The customer did not answer in time</source>
        <translation>Le client n&apos;a pas répondu à temps</translation>
    </message>
    <message>
        <source>Ask the customer to approve within 5 minutes</source>
        <translation>Demandez au client de valider dans les 5 minutes</translation>
    </message>
    <message>
        <source>Customer cancelled on phone</source>
        <translation>Le client a annulé sur son téléphone</translation>
    </message>
    <message>
        <source>MTN already has this payment</source>
        <translation>MTN a déjà ce paiement</translation>
    </message>
    <message>
        <source>The customer did not approve within 5 minutes</source>
        <translation>Le client n&apos;a pas validé dans les 5 minutes</translation>
    </message>
    <message>
        <source>The customer&apos;s MoMo account is not active</source>
        <translation>Le compte MoMo du client n&apos;est pas actif</translation>
    </message>
    <message>
        <source>The shop&apos;s MoMo account limit is reached</source>
        <translation>Le plafond du compte MoMo de la boutique est atteint</translation>
    </message>
    <message>
        <source>Not enough money, or a limit is reached</source>
        <translation>Solde insuffisant, ou plafond atteint</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>Payé</translation>
    </message>
    <message>
        <source>Still being processed</source>
        <translation>Toujours en cours de traitement</translation>
    </message>
    <message>
        <source>Not enough money on the customer&apos;s M-Pesa</source>
        <translation>Solde M-Pesa du client insuffisant</translation>
    </message>
    <message>
        <source>Amount is below the M-Pesa minimum</source>
        <translation>Montant inférieur au minimum M-Pesa</translation>
    </message>
    <message>
        <source>Amount is above the M-Pesa maximum per payment</source>
        <translation>Montant supérieur au maximum M-Pesa par paiement</translation>
    </message>
    <message>
        <source>Split the payment or pay another way</source>
        <translation>Divisez le paiement ou payez autrement</translation>
    </message>
    <message>
        <source>The customer&apos;s daily M-Pesa limit is reached</source>
        <translation>Le plafond M-Pesa journalier du client est atteint</translation>
    </message>
    <message>
        <source>The shop&apos;s M-Pesa account is full</source>
        <translation>Le compte M-Pesa de la boutique est plein</translation>
    </message>
    <message>
        <source>M-Pesa refuses the same amount to the same customer within 2 minutes</source>
        <translation>M-Pesa refuse le même montant au même client en moins de 2 minutes</translation>
    </message>
    <message>
        <source>Wait 2 minutes before charging this amount again</source>
        <translation>Attendez 2 minutes avant d&apos;encaisser à nouveau ce montant</translation>
    </message>
    <message>
        <source>M-Pesa is busy</source>
        <translation>M-Pesa est surchargé</translation>
    </message>
    <message>
        <source>The customer&apos;s phone is busy with another M-Pesa session</source>
        <translation>Le téléphone du client est occupé par une autre session M-Pesa</translation>
    </message>
    <message>
        <source>Ask the customer to close other M-Pesa menus, then wait a minute</source>
        <translation>Demandez au client de fermer les autres menus M-Pesa, puis d&apos;attendre une minute</translation>
    </message>
    <message>
        <source>The payment prompt expired</source>
        <translation>La demande de paiement a expiré</translation>
    </message>
    <message>
        <source>Ask the customer to answer the prompt quickly</source>
        <translation>Demandez au client de répondre rapidement à la demande</translation>
    </message>
    <message>
        <source>M-Pesa could not send the prompt</source>
        <translation>M-Pesa n&apos;a pas pu envoyer la demande</translation>
    </message>
    <message>
        <source>The customer&apos;s phone could not be reached</source>
        <translation>Le téléphone du client est injoignable</translation>
    </message>
    <message>
        <source>Ask the customer to switch the phone on and keep it unlocked</source>
        <translation>Demandez au client d’allumer son téléphone et de le garder déverrouillé</translation>
    </message>
    <message>
        <source>Wrong M-Pesa PIN</source>
        <translation>Code PIN M-Pesa erroné</translation>
    </message>
    <message>
        <source>Ask the customer to enter the right PIN</source>
        <translation>Demandez au client de saisir le bon code PIN</translation>
    </message>
    <message>
        <source>The customer&apos;s M-Pesa PIN is locked</source>
        <translation>Le code PIN M-Pesa du client est bloqué</translation>
    </message>
    <message>
        <source>Ask the customer to call Safaricom, or pay another way</source>
        <translation>Demandez au client d’appeler Safaricom ou de payer autrement</translation>
    </message>
    <message>
        <source>M-Pesa refused this number</source>
        <translation>M-Pesa a refusé ce numéro</translation>
    </message>
    <message>
        <source>In test mode, use the M-Pesa test number</source>
        <translation>En mode test, utilisez le numéro de test M-Pesa</translation>
    </message>
    <message>
        <source>Waiting for the customer&apos;s PIN</source>
        <translation>En attente du code PIN du client</translation>
    </message>
    <message>
        <source>Airtel has not settled it yet</source>
        <translation>Airtel ne l&apos;a pas encore réglé</translation>
    </message>
    <message>
        <source>The customer typed a wrong Airtel Money PIN</source>
        <translation>Le client a saisi un mauvais code PIN Airtel Money</translation>
    </message>
    <message>
        <source>Ask the customer to type their PIN again carefully</source>
        <translation>Demandez au client de ressaisir son code PIN avec soin</translation>
    </message>
    <message>
        <source>The customer&apos;s Airtel Money limit is reached</source>
        <translation>Le plafond Airtel Money du client est atteint</translation>
    </message>
    <message>
        <source>Airtel refused the amount (too small, or not whole)</source>
        <translation>Airtel a refusé le montant (trop petit, ou pas entier)</translation>
    </message>
    <message>
        <source>Check the amount</source>
        <translation>Vérifiez le montant</translation>
    </message>
    <message>
        <source>The customer did not enter the PIN</source>
        <translation>Le client n&apos;a pas saisi le code PIN</translation>
    </message>
    <message>
        <source>Not enough money on the customer&apos;s Airtel Money</source>
        <translation>Pas assez d&apos;argent sur le compte Airtel Money du client</translation>
    </message>
    <message>
        <source>Airtel refused the payment</source>
        <translation>Airtel a refusé le paiement</translation>
    </message>
    <message>
        <source>Ask the customer to contact Airtel or pay another way</source>
        <translation>Demandez au client de contacter Airtel ou de payer autrement</translation>
    </message>
    <message>
        <source>Airtel declined the payment</source>
        <translation>Airtel a décliné le paiement</translation>
    </message>
    <message>
        <source>This number cannot pay by Airtel Money (barred or not registered)</source>
        <translation>Ce numéro ne peut pas payer par Airtel Money (bloqué ou non inscrit)</translation>
    </message>
    <message>
        <source>Ask for another Airtel Money number, or another way to pay</source>
        <translation>Demandez un autre numéro Airtel Money, ou un autre moyen de paiement</translation>
    </message>
    <message>
        <source>The payment timed out at Airtel</source>
        <translation>Le paiement a expiré chez Airtel</translation>
    </message>
    <message>
        <source>Airtel never received this payment</source>
        <translation>Airtel n&apos;a jamais reçu ce paiement</translation>
    </message>
    <message>
        <source>Airtel refused the phone number</source>
        <translation>Airtel a refusé le numéro de téléphone</translation>
    </message>
    <message>
        <source>Check the number, or ask for another Airtel number</source>
        <translation>Vérifiez le numéro, ou demandez un autre numéro Airtel</translation>
    </message>
    <message>
        <source>No answer from the customer in time</source>
        <translation>Pas de réponse du client à temps</translation>
    </message>
    <message>
        <source>Ask the customer whether a prompt appeared and whether money left their account</source>
        <translation>Demandez au client si une demande est apparue et si de l’argent a quitté son compte</translation>
    </message>
    <message>
        <source>The provider never received this payment</source>
        <translation>L&apos;opérateur n&apos;a jamais reçu ce paiement</translation>
    </message>
    <message>
        <source>Never sent to the customer&apos;s phone: the till stopped or could not save it first</source>
        <translation>Jamais envoyé au téléphone du client : la caisse s&apos;est arrêtée ou n&apos;a pas pu l&apos;enregistrer avant</translation>
    </message>
    <message>
        <source>Charge again</source>
        <translation>Encaisser à nouveau</translation>
    </message>
    <message>
        <source>The provider refused the request</source>
        <translation>L&apos;opérateur a refusé la demande</translation>
    </message>
    <message>
        <source>No reply while sending: checking with the provider</source>
        <translation>Pas de réponse à l&apos;envoi : vérification auprès de l&apos;opérateur</translation>
    </message>
    <message>
        <source>The payment failed for a reason the app does not know</source>
        <translation>Le paiement a échoué pour une raison inconnue de l&apos;application</translation>
    </message>
    <message>
        <source>The owner found that no money was received</source>
        <translation>Le gérant a constaté qu&apos;aucun argent n&apos;a été reçu</translation>
    </message>
    <message>
        <source>The owner recorded that this refund was not made</source>
        <translation>Le gérant a noté que ce remboursement n&apos;a pas été fait</translation>
    </message>
</context>
<context>
    <name>Receipt</name>
    <message>
        <source>DEMO — no real money moved</source>
        <translation>DÉMO — aucun argent réel n’a circulé</translation>
    </message>
    <message>
        <source> (from SMS)</source>
        <translation> (du SMS)</translation>
    </message>
    <message>
        <source>see the customer&apos;s {0} SMS</source>
        <translation>voir le SMS {0} du client</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Montant</translation>
    </message>
    <message>
        <source>Paid with</source>
        <translation>Payé avec</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Téléphone</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Receipt no.</source>
        <translation>N° de reçu</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motif</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>Référence</translation>
    </message>
    <message>
        <source>Served by</source>
        <translation>Servi par</translation>
    </message>
    <message>
        <source>Our reference</source>
        <translation>Notre référence</translation>
    </message>
    <message>
        <source>Thank you</source>
        <translation>Merci</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Remboursé</translation>
    </message>
    <message>
        <source>REFUND MADE</source>
        <translation>REMBOURSEMENT EFFECTUÉ</translation>
    </message>
    <message>
        <source>Refund of</source>
        <translation>Remboursement de</translation>
    </message>
    <message>
        <source>REFUND</source>
        <translation>REMBOURSEMENT</translation>
    </message>
    <message>
        <source>Printer test page</source>
        <translation>Page de test de l’imprimante</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>Imprimante</translation>
    </message>
    <message>
        <source>Paper</source>
        <translation>Papier</translation>
    </message>
    <message>
        <source>Code page</source>
        <translation>Page de code</translation>
    </message>
</context>
<context>
    <name>ReceiptCode</name>
    <message>
        <source>M-Pesa code</source>
        <translation>code M-Pesa</translation>
    </message>
    <message>
        <source>Airtel Money id</source>
        <translation>identifiant Airtel Money</translation>
    </message>
</context>
<context>
    <name>ReceiptDetail</name>
    <message>
        <source>Receipt {0}</source>
        <translation>Reçu {0}</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>Ce qui s’est passé</translation>
    </message>
    <message>
        <source>Print… (Ctrl+P)</source>
        <translation>Imprimer… (Ctrl+P)</translation>
    </message>
    <message>
        <source>Save as PDF…</source>
        <translation>Enregistrer en PDF…</translation>
    </message>
    <message>
        <source>Refund… (owner)</source>
        <translation>Rembourser… (gérant)</translation>
    </message>
    <message>
        <source>Resolve… (owner)</source>
        <translation>Régler… (gérant)</translation>
    </message>
    <message>
        <source>An answer from {0} not understood ({1}): asked again</source>
        <translation>Une réponse de {0} non comprise ({1}) : on redemande</translation>
    </message>
    <message>
        <source>⚠ The code typed, {0}, is not {1}&apos;s: {2}</source>
        <translation>⚠ Le code saisi, {0}, n&apos;est pas celui de {1} : {2}</translation>
    </message>
    <message>
        <source>Started at the till</source>
        <translation>Commencé à la caisse</translation>
    </message>
    <message>
        <source>Sending to {0}</source>
        <translation>Envoi à {0}</translation>
    </message>
    <message>
        <source>Sent to {0}, waiting for the customer</source>
        <translation>Envoyé à {0}, en attente du client</translation>
    </message>
    <message>
        <source> (a late answer corrected it)</source>
        <translation> (corrigé par une réponse tardive)</translation>
    </message>
    <message>
        <source>Save receipt as PDF</source>
        <translation>Enregistrer le reçu en PDF</translation>
    </message>
    <message>
        <source>Could not save {0}: {1}</source>
        <translation>Impossible d’enregistrer {0} : {1}</translation>
    </message>
</context>
<context>
    <name>ReceiptPrinting</name>
    <message>
        <source>no printer chosen</source>
        <translation>aucune imprimante choisie</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>Reçu</translation>
    </message>
</context>
<context>
    <name>ReceiptsModel</name>
    <message>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Montant</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>Opérateur</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Téléphone</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Receipt / reason</source>
        <translation>Reçu / motif</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>Référence</translation>
    </message>
</context>
<context>
    <name>ReceiptsView</name>
    <message>
        <source>Any status</source>
        <translation>Tous les états</translation>
    </message>
    <message>
        <source>Any provider</source>
        <translation>Tous les opérateurs</translation>
    </message>
    <message>
        <source>Phone, order reference or receipt number</source>
        <translation>Téléphone, référence de commande ou n° de reçu</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Du</translation>
    </message>
    <message>
        <source>to</source>
        <translation>au</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>Comptage…</translation>
    </message>
    <message>
        <source>{0} payments · received {1}</source>
        <translation>{0} paiements · reçu {1}</translation>
    </message>
</context>
<context>
    <name>RefundDialog</name>
    <message>
        <source>Refund</source>
        <translation>Rembourser</translation>
    </message>
    <message>
        <source>Paid {0} by {1}. At most {2} can be refunded.</source>
        <translation>Payé {0} par {1}. Au plus {2} peut être remboursé.</translation>
    </message>
    <message>
        <source>Amount ({0})</source>
        <translation>Montant ({0})</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motif</translation>
    </message>
</context>
<context>
    <name>ReportView</name>
    <message>
        <source>All tills</source>
        <translation>Toutes les caisses</translation>
    </message>
    <message>
        <source>This till ({0})</source>
        <translation>Cette caisse ({0})</translation>
    </message>
    <message>
        <source>Refresh (F5)</source>
        <translation>Actualiser (F5)</translation>
    </message>
    <message>
        <source>Export CSV… (owner)</source>
        <translation>Exporter en CSV… (propriétaire)</translation>
    </message>
    <message>
        <source>One row per payment of the day, for a spreadsheet</source>
        <translation>Une ligne par paiement du jour, pour un tableur</translation>
    </message>
    <message>
        <source>Save PDF… (owner)</source>
        <translation>Enregistrer en PDF… (propriétaire)</translation>
    </message>
    <message>
        <source>The report on A4, to print or keep</source>
        <translation>Le rapport sur A4, à imprimer ou à garder</translation>
    </message>
    <message>
        <source>Print Z report</source>
        <translation>Imprimer le rapport Z</translation>
    </message>
    <message>
        <source>The day&apos;s report on the receipt printer</source>
        <translation>Le rapport du jour sur l’imprimante de reçus</translation>
    </message>
    <message>
        <source>Whole business… (owner)</source>
        <translation>Toute l&apos;affaire… (propriétaire)</translation>
    </message>
    <message>
        <source>Every till&apos;s day as the owner&apos;s hub holds it, beside this till&apos;s own</source>
        <translation>La journée de chaque caisse telle que le hub du propriétaire la détient, à côté de celle de cette caisse</translation>
    </message>
    <message>
        <source>Currency of the chart</source>
        <translation>Devise du graphique</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>Jour</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>Calcul en cours…</translation>
    </message>
    <message>
        <source>Takings per hour: no sales on this day</source>
        <translation>Recette par heure : aucune vente ce jour-là</translation>
    </message>
    <message>
        <source>Takings per hour ({0})</source>
        <translation>Recette par heure ({0})</translation>
    </message>
    <message>
        <source>hour</source>
        <translation>heure</translation>
    </message>
</context>
<context>
    <name>ResolveDialog</name>
    <message>
        <source>Resolve by hand</source>
        <translation>Régler à la main</translation>
    </message>
    <message>
        <source>{0} does not tell this till how a refund ends. Once it is reversed (in the {0} portal, or by the reversal sent from here), enter the code of {0}&apos;s reversal message.</source>
        <translation>{0} n&apos;indique pas à cette caisse comment finit un remboursement. Une fois annulé (dans le portail {0}, ou par l&apos;annulation envoyée d&apos;ici), saisissez le code du message d&apos;annulation de {0}.</translation>
    </message>
    <message>
        <source>Whether this customer paid is not known. Check the customer&apos;s {0} SMS or the {0} statement, then enter the code, or record that nothing was received.</source>
        <translation>On ne sait pas si ce client a payé. Vérifiez le SMS {0} du client ou le relevé {0}, puis saisissez le code, ou notez que rien n&apos;a été reçu.</translation>
    </message>
    <message>
        <source>{0}, e.g. {1}</source>
        <translation>{0}, p. ex. {1}</translation>
    </message>
    <message>
        <source>Confirm with this code</source>
        <translation>Confirmer avec ce code</translation>
    </message>
    <message>
        <source>Refund was not made</source>
        <translation>Le remboursement n&apos;a pas été fait</translation>
    </message>
    <message>
        <source>Nothing was received</source>
        <translation>Rien n&apos;a été reçu</translation>
    </message>
</context>
<context>
    <name>SecretsPanel</name>
    <message>
        <source>stored in the keyring (type to replace)</source>
        <translation>enregistré dans le trousseau (tapez pour remplacer)</translation>
    </message>
    <message>
        <source>set by {0} (overrides the keyring)</source>
        <translation>défini par {0} (prime sur le trousseau)</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>non défini</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Collection subscription key</source>
        <translation>Clé d&apos;abonnement Collection</translation>
    </message>
    <message>
        <source>API user</source>
        <translation>Utilisateur API</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>Clé API</translation>
    </message>
    <message>
        <source>Consumer key</source>
        <translation>Consumer key</translation>
    </message>
    <message>
        <source>Consumer secret</source>
        <translation>Consumer secret</translation>
    </message>
    <message>
        <source>Passkey</source>
        <translation>Passkey</translation>
    </message>
    <message>
        <source>Initiator password (refunds)</source>
        <translation>Mot de passe de l&apos;initiateur (remboursements)</translation>
    </message>
    <message>
        <source>Shop</source>
        <translation>Boutique</translation>
    </message>
    <message>
        <source>Shop name</source>
        <translation>Nom de la boutique</translation>
    </message>
    <message>
        <source>Till name</source>
        <translation>Nom de la caisse</translation>
    </message>
    <message>
        <source>Country</source>
        <translation>Pays</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>Automatique</translation>
    </message>
    <message>
        <source>Number format</source>
        <translation>Format des nombres</translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation>Fuseau horaire</translation>
    </message>
    <message>
        <source>e.g. Africa/Abidjan; empty: this computer&apos;s</source>
        <translation>ex. Africa/Abidjan ; vide : celui de cet ordinateur</translation>
    </message>
    <message>
        <source>Quick amounts</source>
        <translation>Montants rapides</translation>
    </message>
    <message>
        <source>e.g. 500, 1000, 5000</source>
        <translation>ex. 500, 1000, 5000</translation>
    </message>
    <message>
        <source>Sound on success and failure</source>
        <translation>Son en cas de réussite ou d’échec</translation>
    </message>
    <message>
        <source>Use MTN MoMo</source>
        <translation>Utiliser MTN MoMo</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>Environnement</translation>
    </message>
    <message>
        <source>sandbox</source>
        <translation>sandbox</translation>
    </message>
    <message>
        <source>production</source>
        <translation>production</translation>
    </message>
    <message>
        <source>Disbursement subscription key (refunds)</source>
        <translation>Clé d&apos;abonnement Disbursement (remboursements)</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>URL de base</translation>
    </message>
    <message>
        <source>Largest charge</source>
        <translation>Plus gros encaissement</translation>
    </message>
    <message>
        <source>A larger amount is refused at the till</source>
        <translation>Un montant plus élevé est refusé à la caisse</translation>
    </message>
    <message>
        <source>Confirm above</source>
        <translation>Confirmer au-delà de</translation>
    </message>
    <message>
        <source>A larger amount is shown in words and confirmed a second time</source>
        <translation>Un montant plus élevé est affiché en toutes lettres et confirmé une seconde fois</translation>
    </message>
    <message>
        <source>Allow ported numbers</source>
        <translation>Accepter les numéros portés</translation>
    </message>
    <message>
        <source>Where customers keep their number when they change network: charge a number whatever network its prefix belongs to (the till still says so)</source>
        <translation>Là où les clients gardent leur numéro en changeant d’opérateur : encaisser un numéro quel que soit le réseau de son préfixe (la caisse le signale quand même)</translation>
    </message>
    <message>
        <source>empty: MTN&apos;s URL for the environment</source>
        <translation>vide : l&apos;URL de MTN pour l&apos;environnement</translation>
    </message>
    <message>
        <source>Proxy</source>
        <translation>Proxy</translation>
    </message>
    <message>
        <source>http://user@host:port; empty: direct</source>
        <translation>http://utilisateur@hôte:port ; vide : direct</translation>
    </message>
    <message>
        <source>Target environment</source>
        <translation>Environnement cible</translation>
    </message>
    <message>
        <source>empty: by country</source>
        <translation>vide : selon le pays</translation>
    </message>
    <message>
        <source>Currency</source>
        <translation>Devise</translation>
    </message>
    <message>
        <source>empty: EUR in the sandbox, else the country&apos;s</source>
        <translation>vide : EUR en sandbox, sinon celle du pays</translation>
    </message>
    <message>
        <source>Proxy password</source>
        <translation>Mot de passe du proxy</translation>
    </message>
    <message>
        <source>Use M-Pesa</source>
        <translation>Utiliser M-Pesa</translation>
    </message>
    <message>
        <source>empty: Safaricom&apos;s URL for the environment</source>
        <translation>vide : l&apos;URL de Safaricom pour l&apos;environnement</translation>
    </message>
    <message>
        <source>Shortcode</source>
        <translation>Shortcode</translation>
    </message>
    <message>
        <source>PayBill number, or the till&apos;s store number</source>
        <translation>Numéro PayBill, ou numéro de magasin de la caisse</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>PayBill</source>
        <translation>PayBill</translation>
    </message>
    <message>
        <source>Buy Goods (till)</source>
        <translation>Buy Goods (caisse)</translation>
    </message>
    <message>
        <source>Till number</source>
        <translation>Numéro de caisse (till)</translation>
    </message>
    <message>
        <source>Buy Goods only; empty: the shortcode</source>
        <translation>Buy Goods uniquement ; vide : le shortcode</translation>
    </message>
    <message>
        <source>Use Airtel Money</source>
        <translation>Utiliser Airtel Money</translation>
    </message>
    <message>
        <source>empty: the country&apos;s Airtel host for the environment</source>
        <translation>vide : l&apos;hôte Airtel du pays pour l&apos;environnement</translation>
    </message>
    <message>
        <source>Where Airtel asks for it (Zambia, Malawi)</source>
        <translation>Là où Airtel l&apos;exige (Zambie, Malawi)</translation>
    </message>
    <message>
        <source>Always</source>
        <translation>Toujours</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>Jamais</translation>
    </message>
    <message>
        <source>Key padding</source>
        <translation>Bourrage de la clé</translation>
    </message>
    <message>
        <source>PKCS#1</source>
        <translation>PKCS#1</translation>
    </message>
    <message>
        <source>OAEP</source>
        <translation>OAEP</translation>
    </message>
    <message>
        <source>empty: the country&apos;s</source>
        <translation>vide : celle du pays</translation>
    </message>
    <message>
        <source>Message signing</source>
        <translation>Signature des messages</translation>
    </message>
    <message>
        <source>Client ID (consumer key)</source>
        <translation>Identifiant client (consumer key)</translation>
    </message>
    <message>
        <source>Client secret (consumer secret)</source>
        <translation>Secret client (consumer secret)</translation>
    </message>
    <message>
        <source>Backups</source>
        <translation>Sauvegardes</translation>
    </message>
    <message>
        <source>Backup folder</source>
        <translation>Dossier des sauvegardes</translation>
    </message>
    <message>
        <source>empty: backups beside the database</source>
        <translation>vide : backups à côté de la base de données</translation>
    </message>
    <message>
        <source>Second backup folder</source>
        <translation>Second dossier de sauvegarde</translation>
    </message>
    <message>
        <source>a USB stick or a network share; empty: no second copy</source>
        <translation>une clé USB ou un partage réseau ; vide : pas de seconde copie</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Create sandbox credentials</source>
        <translation>Créer des identifiants sandbox</translation>
    </message>
    <message>
        <source>Credentials</source>
        <translation>Identifiants</translation>
    </message>
    <message>
        <source>Hub</source>
        <translation>Hub</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Tester la connexion</translation>
    </message>
    <message>
        <source>Runs the doctor&apos;s checks against each provider</source>
        <translation>Lance les vérifications de « doctor » sur chaque opérateur</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Enregistrer</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>Creates {0} sandbox credentials with the key typed under Credentials and keeps them in the keyring</source>
        <translation>Crée des identifiants sandbox {0} avec la clé saisie dans Identifiants et les garde dans le trousseau</translation>
    </message>
    <message>
        <source>The country&apos;s: {0}</source>
        <translation>Celui du pays : {0}</translation>
    </message>
    <message>
        <source>default: {0}</source>
        <translation>par défaut : {0}</translation>
    </message>
    <message>
        <source>Quick amounts: {0} is not a number</source>
        <translation>Montants rapides : {0} n&apos;est pas un nombre</translation>
    </message>
    <message>
        <source>Nothing changed</source>
        <translation>Rien n&apos;a changé</translation>
    </message>
    <message>
        <source>Settings saved to {0}; they take effect when pos-app next starts.</source>
        <translation>Paramètres enregistrés dans {0} ; ils prennent effet au prochain démarrage de pos-app.</translation>
    </message>
    <message>
        <source>Saved to the keyring: {0}</source>
        <translation>Enregistré dans le trousseau : {0}</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>Test en cours…</translation>
    </message>
    <message>
        <source>reachable, credentials accepted</source>
        <translation>joignable, identifiants acceptés</translation>
    </message>
    <message>
        <source>No provider is enabled</source>
        <translation>Aucun opérateur n&apos;est activé</translation>
    </message>
    <message>
        <source>Creating…</source>
        <translation>Création…</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <source>refused</source>
        <translation>refusé</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>en attente</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>inconnu</translation>
    </message>
    <message>
        <source>paid</source>
        <translation>payé</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>expiré</translation>
    </message>
    <message>
        <source>refunded</source>
        <translation>remboursé</translation>
    </message>
</context>
<context>
    <name>StorageBanner</name>
    <message>
        <source>disk full</source>
        <translation>disque plein</translation>
    </message>
    <message>
        <source>the receipts folder cannot be written</source>
        <translation>le dossier des reçus n’est pas modifiable</translation>
    </message>
    <message>
        <source>the database is held by another program</source>
        <translation>la base de données est bloquée par un autre programme</translation>
    </message>
    <message>
        <source>disk error</source>
        <translation>erreur de disque</translation>
    </message>
    <message>
        <source>Receipts cannot be saved: {0}. No new charge is sent until they can.</source>
        <translation>Les reçus ne peuvent pas être enregistrés : {0}. Aucun nouveau paiement n’est envoyé en attendant.</translation>
    </message>
    <message>
        <source>{0} payment outcome(s) kept in memory: saved as soon as the disk takes them. Do not close pos-app.</source>
        <translation>{0} résultat(s) de paiement gardé(s) en mémoire : enregistré(s) dès que le disque les accepte. Ne fermez pas pos-app.</translation>
    </message>
</context>
<context>
    <name>Validation</name>
    <message>
        <source>{amount} is more than this till&apos;s largest charge ({largest}): check the amount (the owner can change the limit in the settings)</source>
        <translation>{amount} dépasse le plus gros encaissement de cette caisse ({largest}) : vérifiez le montant (le propriétaire peut changer la limite dans les réglages)</translation>
    </message>
    <message>
        <source>{region!r} is not a supported country (one of {known})</source>
        <translation>{region!r} n&apos;est pas un pays pris en charge (parmi {known})</translation>
    </message>
    <message>
        <source>{currency} allows at most {digits} decimal places</source>
        <translation>{currency} accepte au plus {digits} décimales</translation>
    </message>
    <message>
        <source>{currency!r} is not a known currency code</source>
        <translation>{currency!r} n&apos;est pas un code de devise connu</translation>
    </message>
    <message>
        <source>{currency} has no decimal part: enter a whole number</source>
        <translation>{currency} n&apos;a pas de décimales : entrez un nombre entier</translation>
    </message>
    <message>
        <source>Enter an amount</source>
        <translation>Entrez un montant</translation>
    </message>
    <message>
        <source>The amount cannot be negative</source>
        <translation>Le montant ne peut pas être négatif</translation>
    </message>
    <message>
        <source>{text!r} is not an amount: use digits only</source>
        <translation>{text!r} n&apos;est pas un montant : chiffres uniquement</translation>
    </message>
    <message>
        <source>{text!r} is not an amount: check the decimal part</source>
        <translation>{text!r} n&apos;est pas un montant : vérifiez les décimales</translation>
    </message>
    <message>
        <source>{text!r} is not an amount: check the separators</source>
        <translation>{text!r} n&apos;est pas un montant : vérifiez les séparateurs</translation>
    </message>
    <message>
        <source>{text!r} is not an amount: group thousands in threes</source>
        <translation>{text!r} n&apos;est pas un montant : groupez les milliers par trois chiffres</translation>
    </message>
    <message>
        <source>The amount is too large</source>
        <translation>Le montant est trop élevé</translation>
    </message>
    <message>
        <source>The amount must be more than zero</source>
        <translation>Le montant doit être supérieur à zéro</translation>
    </message>
    <message>
        <source>Enter an amount in digits</source>
        <translation>Entrez un montant en chiffres</translation>
    </message>
    <message>
        <source>{text!r} is not an amount</source>
        <translation>{text!r} n&apos;est pas un montant</translation>
    </message>
    <message>
        <source>The PIN must be digits only.</source>
        <translation>Le code ne doit contenir que des chiffres.</translation>
    </message>
    <message>
        <source>The PIN must have {low} to {high} digits.</source>
        <translation>Le code doit avoir de {low} à {high} chiffres.</translation>
    </message>
    <message>
        <source>The PIN is too easy to guess: avoid repeats and runs of digits.</source>
        <translation>Le code est trop facile à deviner : évitez les répétitions et les suites de chiffres.</translation>
    </message>
    <message>
        <source>{text} is not a valid {country} mobile number</source>
        <translation>{text} n&apos;est pas un numéro mobile valide ({country})</translation>
    </message>
    <message>
        <source>Enter the customer&apos;s phone number</source>
        <translation>Entrez le numéro de téléphone du client</translation>
    </message>
    <message>
        <source>{text!r} is not a phone number: use digits only</source>
        <translation>{text!r} n&apos;est pas un numéro de téléphone : chiffres uniquement</translation>
    </message>
    <message>
        <source>{text} is not a mobile number</source>
        <translation>{text} n&apos;est pas un numéro mobile</translation>
    </message>
    <message>
        <source>{text} is a number from {other}; this till charges {country} numbers only</source>
        <translation>{text} est un numéro de {other} ; cette caisse n&apos;encaisse que des numéros de {country}</translation>
    </message>
    <message>
        <source>{text!r} is not a valid {name} ({shape}, like {example})</source>
        <translation>{text!r} n&apos;est pas un {name} valide ({shape}, comme {example})</translation>
    </message>
    <message>
        <source>{provider} refunds a payment in full only ({amount} {currency})</source>
        <translation>{provider} ne rembourse un paiement qu&apos;en entier ({amount} {currency})</translation>
    </message>
    <message>
        <source>{provider} takes whole {currency} only</source>
        <translation>{provider} n&apos;accepte que des {currency} entiers</translation>
    </message>
    <message>
        <source>{provider} takes {smallest} to {largest} {currency} per payment</source>
        <translation>{provider} accepte de {smallest} à {largest} {currency} par paiement</translation>
    </message>
    <message>
        <source>A refund cannot itself be refunded.</source>
        <translation>Un remboursement ne peut pas lui-même être remboursé.</translation>
    </message>
    <message>
        <source>This payment has already been refunded in full.</source>
        <translation>Ce paiement a déjà été remboursé en entier.</translation>
    </message>
    <message>
        <source>Only a successful payment can be refunded; this one is {status}.</source>
        <translation>Seul un paiement réussi peut être remboursé ; celui-ci est {status}.</translation>
    </message>
    <message>
        <source>The refund must be in {currency}, the payment&apos;s currency.</source>
        <translation>Le remboursement doit être en {currency}, la devise du paiement.</translation>
    </message>
    <message>
        <source>The refund amount must be more than zero.</source>
        <translation>Le montant du remboursement doit être supérieur à zéro.</translation>
    </message>
    <message>
        <source>At most {left} can still be refunded ({pending} already refunded or on its way).</source>
        <translation>Au plus {left} peut encore être remboursé ({pending} déjà remboursé ou en cours).</translation>
    </message>
    <message>
        <source>This payment is already being refunded in full: no more can be refunded.</source>
        <translation>Ce paiement est déjà remboursé en entier : rien de plus ne peut être remboursé.</translation>
    </message>
    <message>
        <source>This payment is {status}: there is nothing to resolve.</source>
        <translation>Ce paiement est {status} : il n&apos;y a rien à régler.</translation>
    </message>
    <message>
        <source>Wrong PIN.</source>
        <translation>Code erroné.</translation>
    </message>
    <message>
        <source>{text} is on the {network} network: {provider} cannot charge it. Ask the customer for another number, or another way to pay</source>
        <translation>{text} est sur le réseau {network} : {provider} ne peut pas l’encaisser. Demandez au client un autre numéro, ou un autre moyen de paiement</translation>
    </message>
    <message>
        <source>{text} is on the {network} network, not {provider}: choose {other}</source>
        <translation>{text} est sur le réseau {network}, pas {provider} : choisissez {other}</translation>
    </message>
    <message>
        <source>{amount} is above {limit}: repeat it with --confirm-amount to charge it</source>
        <translation>{amount} dépasse {limit} : répétez-le avec --confirm-amount pour l’encaisser</translation>
    </message>
    <message>
        <source>--confirm-amount {repeated} is not the amount {amount}: nothing was sent</source>
        <translation>--confirm-amount {repeated} n’est pas le montant {amount} : rien n’a été envoyé</translation>
    </message>
    <message>
        <source>{provider} gives its own receipt codes: none is typed</source>
        <translation>{provider} donne ses propres codes de reçu : aucun n&apos;est saisi</translation>
    </message>
    <message>
        <source>{provider} payments are not resolved by hand: the till asks {provider}.</source>
        <translation>Les paiements {provider} ne se règlent pas à la main : la caisse interroge {provider}.</translation>
    </message>
    <message>
        <source>The two PINs differ; nothing was changed.</source>
        <translation>Les deux codes diffèrent ; rien n&apos;a été changé.</translation>
    </message>
</context>
</TS>
