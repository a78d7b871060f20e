"""Optional signing: an Open Badges 3.0 credential as a VC-JWT, signed with Ed25519.

Open Badges 3.0, "JSON Web Token Proof Format": a compact JWS whose payload is the
credential plus the iss, jti, nbf and sub claims, whose JOSE header holds only alg,
typ and the public key (jwk). The signature is computed by the `cryptography`
package (the `sign` extra: pip install 'mcreview[sign]'), loaded only when a key is
given. The key is a PEM file holding an unencrypted Ed25519 private key, as
`openssl genpkey -algorithm ed25519 -out issuer-key.pem` writes it.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcreview.services.export.base import ExportError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ALGORITHM = "EdDSA"  # RFC 8037: the JOSE name for Ed25519 signatures


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Signer:
    def __init__(self, key: Ed25519PrivateKey) -> None:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        self.key = key
        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        #: the public key, as a verifier reads it from each token's header
        self.jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url(public)}

    @classmethod
    def load(cls, path: Path) -> Signer:
        """The key in a PEM file, or one line saying why it cannot be used."""
        try:
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
            from cryptography.hazmat.primitives.serialization import load_pem_private_key
        except ImportError:
            raise ExportError(
                "signing needs the cryptography package: pip install 'mcreview[sign]'"
            ) from None
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ExportError(f"{path}: cannot read the signing key: {error.strerror or error}") from None
        try:
            key = load_pem_private_key(data, password=None)
        except TypeError:
            raise ExportError(f"{path}: the key is encrypted; give an unencrypted Ed25519 key") from None
        except ValueError:
            raise ExportError(f"{path}: not a PEM private key") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ExportError(f"{path}: not an Ed25519 key (make one: openssl genpkey -algorithm ed25519)")
        return cls(key)

    def sign(self, claims: dict[str, Any]) -> str:
        """A compact JWS: BASE64URL(header) . BASE64URL(payload) . BASE64URL(signature)."""
        header = {"alg": ALGORITHM, "typ": "JWT", "jwk": self.jwk}
        signing_input = ".".join(
            b64url(json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
            for part in (header, claims)
        )
        return f"{signing_input}.{b64url(self.key.sign(signing_input.encode('ascii')))}"
