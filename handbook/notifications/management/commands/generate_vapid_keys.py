"""Print a new VAPID key pair as environment lines for web push."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management.base import BaseCommand
from py_vapid.utils import b64urlencode


def new_keys() -> tuple[str, str]:
    """(public, private): the public key as the browser's applicationServerKey (uncompressed P-256
    point), the private key as its raw 32 bytes; both base64url without padding, as pywebpush reads them."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64urlencode(public), b64urlencode(private)


class Command(BaseCommand):
    help = "Generate VAPID keys for web push and print them as environment lines (keep the private key secret)."

    def add_arguments(self, parser):
        parser.add_argument("--subject", default="mailto:admin@example.org", help="a contact for the push services")

    def handle(self, *args, **options):
        public, private = new_keys()
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}")
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}")
        self.stdout.write(f"VAPID_SUBJECT={options['subject']}")
