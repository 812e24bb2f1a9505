"""The web view's French, by its English text (tests/hub/test_owner_web.py checks that every
text of the templates and of this package has its entry)."""

from __future__ import annotations

FRENCH: dict[str, str] = {
    # Pages and navigation
    "Owner's hub": "Hub du propriétaire",
    "Pages": "Pages",
    "Today": "Aujourd'hui",
    "Day report": "Rapport du jour",
    "Payments": "Paiements",
    "Tills": "Caisses",
    "Owner log": "Journal du propriétaire",
    "Log out": "Se déconnecter",
    "Log in": "Se connecter",
    "Back to today": "Retour à aujourd'hui",
    "Not done": "Rien n'a été fait",
    # Logging in
    "Owner's password": "Mot de passe du propriétaire",
    "Wrong password.": "Mot de passe incorrect.",
    "Too many wrong passwords: the login is locked. Try again in {minutes} minutes.": (
        "Trop de mots de passe incorrects : la connexion est bloquée. "
        "Réessayez dans {minutes} minutes."
    ),
    "No owner password is set yet: run `pos-app hub owner-password` on the hub's machine.": (
        "Aucun mot de passe du propriétaire n'est encore défini : lancez "
        "`pos-app hub owner-password` sur la machine du hub."
    ),
    "This hub is served over plain http: your browser will not keep the login. "
    "Serve the hub over https.": (
        "Ce hub est servi en http simple : votre navigateur ne gardera pas la connexion. "
        "Servez le hub en https."
    ),
    "This form is out of date or did not come from this hub: nothing was done. "
    "Open the page again and retry.": (
        "Ce formulaire est périmé ou ne vient pas de ce hub : rien n'a été fait. "
        "Rouvrez la page et réessayez."
    ),
    "This form is too large: nothing was done.": (
        "Ce formulaire est trop grand : rien n'a été fait."
    ),
    # The day report (the till's `pos-app report` says the same in English)
    "End-of-day report": "Rapport de fin de journée",
    "Shop": "Boutique",
    "Till": "Caisse",
    "all tills": "toutes les caisses",
    "all shops": "toutes les boutiques",
    "Day": "Jour",
    "Sales (paid)": "Ventes (payées)",
    "Refunds": "Remboursements",
    "Takings (sales − refunds)": "Recette (ventes − remboursements)",
    "Takings": "Recette",
    "Success rate": "Taux de réussite",
    "First payment": "Premier paiement",
    "Last payment": "Dernier paiement",
    "Per provider and status": "Par opérateur et par état",
    "Sales per hour": "Ventes par heure",
    "To follow up (still open)": "À suivre (encore ouverts)",
    "no payments": "aucun paiement",
    "no sales": "aucune vente",
    "none": "aucun",
    "refund": "remboursement",
    "paid to the shop's number": "payé au numéro de la boutique",
    "paid": "payé",
    "refused": "refusé",
    "waiting": "en attente",
    "expired": "expiré",
    "unknown": "inconnu",
    "refunded": "remboursé",
    "Show": "Afficher",
    "Day before": "Jour précédent",
    "Day after": "Jour suivant",
    "Export CSV": "Exporter en CSV",
    "Times in {zone}.": "Heures en {zone}.",
    "Takings per hour": "Recette par heure",
    "Takings per hour (sales minus the refunds made in that hour)": (
        "Recette par heure (ventes moins les remboursements faits dans l'heure)"
    ),
    "highest": "maximum",
    "This is not a day: use YYYY-MM-DD.": "Ce n'est pas une date : utilisez AAAA-MM-JJ.",
    "There is no such till at this hub.": "Ce hub n'a pas cette caisse.",
    # Today
    "in each shop's time zone": "dans le fuseau horaire de chaque boutique",
    "Every shop and till": "Toutes les boutiques et caisses",
    "Still open": "Encore ouverts",
    # Payments
    "Phone (last 4 digits or more), receipt code or reference": (
        "Téléphone (4 derniers chiffres ou plus), code de reçu ou référence"
    ),
    "Type at least 4 digits of the phone number, or a whole receipt code or reference.": (
        "Tapez au moins 4 chiffres du numéro de téléphone, ou un code de reçu ou une "
        "référence en entier."
    ),
    "Search": "Rechercher",
    "Time": "Heure",
    "Provider": "Opérateur",
    "Status": "État",
    "Amount": "Montant",
    "Phone": "Téléphone",
    "Receipt": "Reçu",
    "Reference": "Référence",
    "Older payments": "Paiements plus anciens",
    "No payment found.": "Aucun paiement trouvé.",
    "No payments yet.": "Aucun paiement pour l'instant.",
    # Tills
    "Last seen": "Vue la dernière fois",
    "Last synced": "Dernière synchronisation",
    "Events at the hub": "Événements au hub",
    "Events behind": "Événements en retard",
    "History": "Historique",
    "revoked": "révoquée",
    "never": "jamais",
    "intact": "intact",
    "history changed at till {till}: first broken link {seq}": (
        "historique modifié à la caisse {till} : premier maillon rompu {seq}"
    ),
    "Revoke…": "Révoquer…",
    "Times in each shop's time zone.": "Heures dans le fuseau horaire de chaque boutique.",
    "No tills yet: `pos-app hub add-till SHOP TILL` adds one.": (
        "Aucune caisse pour l'instant : `pos-app hub add-till BOUTIQUE CAISSE` en ajoute une."
    ),
    "Revoke a till": "Révoquer une caisse",
    "Revoke till {till} of shop {shop}? Its key stops working at once: it can no longer "
    "send its history nor receive anything from the hub. To use it again, add it anew.": (
        "Révoquer la caisse {till} de la boutique {shop} ? Sa clé cesse de fonctionner "
        "aussitôt : elle ne peut plus envoyer son historique ni rien recevoir du hub. Pour "
        "l'utiliser de nouveau, ajoutez-la à nouveau."
    ),
    "Revoke this till": "Révoquer cette caisse",
    "Cancel": "Annuler",
    "Till {till} is revoked: its key no longer works.": (
        "La caisse {till} est révoquée : sa clé ne fonctionne plus."
    ),
    # The owner log
    "The log was changed after it was written:": "Le journal a été modifié après écriture :",
    "Every entry is as it was written (the chain holds).": (
        "Chaque entrée est telle qu'elle a été écrite (la chaîne tient)."
    ),
    "Who": "Qui",
    "Action": "Action",
    "Detail": "Détail",
    "Nothing logged yet.": "Rien n'est encore journalisé.",
    "export": "export",
    "till revoked": "caisse révoquée",
    "logged in": "connexion",
    "login locked after wrong passwords": "connexion bloquée après des mots de passe incorrects",
    "owner password set": "mot de passe du propriétaire défini",
    "owner (web)": "propriétaire (web)",
    "owner (command line)": "propriétaire (ligne de commande)",
}
