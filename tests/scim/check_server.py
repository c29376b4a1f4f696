"""Runs scim2-tester (PyPI, by the python-scim project) against orgca's SCIM service.

Usage: python3 check_server.py BASE_URL TOKEN
Prints one line per check (STATUS title: reason) and exits 1 when any check errs.
"""
import sys

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

client = SyncSCIMClient(
    httpx2.Client(base_url=sys.argv[1], headers={"Authorization": f"Bearer {sys.argv[2]}"})
)
results = check_server(client, resource_types=["User"])
for r in results:
    print(f"{r.status.name} {r.title}: {r.reason}")
sys.exit(1 if any(r.status not in (Status.SUCCESS, Status.SKIPPED) for r in results) else 0)
