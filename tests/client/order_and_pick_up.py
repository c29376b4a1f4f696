"""Orders and picks up a certificate through a client that openapi-python-client (a
generator orgca's authors did not write) made from orgca's OpenAPI document, as an
integrator would. Arguments: the generated client's folder, the server's base URL, an
administrator's API token, a CSR file. Prints one JSON line with what it saw; any
mismatch between the document and the server fails here or in the caller's checks."""

import json
import sys

sys.path.insert(0, sys.argv[1])

from orgca_api_client import AuthenticatedClient, Client  # noqa: E402
from orgca_api_client.api.certificates import block_certificate, get_certificate  # noqa: E402
from orgca_api_client.api.certificates import list_certificates  # noqa: E402
from orgca_api_client.api.orders import order_for_profile, pickup  # noqa: E402
from orgca_api_client.api.profiles import create_profile  # noqa: E402
from orgca_api_client.models import (  # noqa: E402
    BlockRequest,
    BlockRequestReason,
    CertificateView,
    Contact,
    DeliveredView,
    Issuance,
    ListCertificatesStatus,
    OrderView,
    PageCertificateView,
    PickupRequest,
    ProblemDocument,
    ProfileOrderRequest,
    ProfileOrderRequestIdentification,
    ProfileRequest,
    ProfileRequestKind,
    ProfileView,
)

base, token, csr_path = sys.argv[2:5]
admin = AuthenticatedClient(base_url=base, token=token, raise_on_unexpected_status=True)
anyone = Client(base_url=base, raise_on_unexpected_status=True)

request = ProfileRequest(
    kind=ProfileRequestKind.SYSTEM,
    name="Genereret-klient",
    contact=Contact(name="Ane Ørsted", email="ane@gen.dk"),
)
profile = create_profile.sync(client=admin, body=request)
assert isinstance(profile, ProfileView), profile
# A refusal arrives as the document's ProblemDocument, with its stable code.
again = create_profile.sync(client=admin, body=request)
assert isinstance(again, ProblemDocument) and again.code == "conflict", again

order = order_for_profile.sync(
    id=str(profile.id),
    client=admin,
    body=ProfileOrderRequest(
        identification=ProfileOrderRequestIdentification.ONE_TIME_CODE, issuance=Issuance.CSR
    ),
)
assert isinstance(order, OrderView), order
with open(csr_path, encoding="ascii") as f:
    csr = f.read()
wrong = pickup.sync(
    client=anyone,
    body=PickupRequest(reference=order.reference, one_time_code="AAAA-AAAA-AAAA-AAAA", csr=csr),
)
assert isinstance(wrong, ProblemDocument) and wrong.code == "wrong_code", wrong
delivered = pickup.sync(
    client=anyone,
    body=PickupRequest(reference=order.reference, one_time_code=order.one_time_code, csr=csr),
)
assert isinstance(delivered, DeliveredView), delivered

shown = get_certificate.sync(id=str(delivered.certificate_id), client=admin)
assert isinstance(shown, CertificateView) and shown.serial == delivered.serial, shown
blocked = block_certificate.sync(
    id=str(delivered.certificate_id),
    client=admin,
    body=BlockRequest(reason=BlockRequestReason.SUPERSEDED),
)
assert isinstance(blocked, CertificateView) and blocked.status == "blocked", blocked
listed = list_certificates.sync(client=admin, status=ListCertificatesStatus.BLOCKED)
assert isinstance(listed, PageCertificateView), listed

print(
    json.dumps(
        {
            "certificate_pem": delivered.certificate_pem,
            "chain_pem": delivered.chain_pem,
            "serial": delivered.serial,
            "blocked": [c.serial for c in listed.items],
        }
    )
)
