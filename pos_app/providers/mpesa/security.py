"""The initiator's SecurityCredential: the password encrypted with Safaricom's certificate."""

from __future__ import annotations

import base64

from pos_app.domain.errors import Text
from pos_app.platform.secret import Secret
from pos_app.providers.base import ConfigurationProblem


def security_credential(initiator_password: Secret, certificate: bytes) -> Secret:
    """base64(RSA PKCS#1 v1.5 encryption of the password) with the environment's certificate
    (PEM or DER, downloaded from the Daraja portal: sandbox and production differ)."""
    # Here, not at start-up: cryptography's X.509 takes about 30 ms to import.
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        cert = (
            x509.load_pem_x509_certificate(certificate)
            if b"-----BEGIN" in certificate
            else x509.load_der_x509_certificate(certificate)
        )
    except ValueError as exc:
        raise ConfigurationProblem(
            Text("the M-Pesa certificate file is not an X.509 certificate")
        ) from exc
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise ConfigurationProblem(Text("the M-Pesa certificate does not hold an RSA key"))
    encrypted = key.encrypt(initiator_password.reveal().encode(), padding.PKCS1v15())
    return Secret(base64.b64encode(encrypted).decode("ascii"))
