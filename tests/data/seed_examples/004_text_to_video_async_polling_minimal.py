# Verbatim from shared/seeds/004_223611cfd20e0860.txt, tab "Async" > "Minimal" (Python).
# tests/integration/test_seed_examples.py runs it against LocalHub, changing only the base URL
# (https://hub.oxen.ai) and OXEN_API_KEY. Everything below this header is the document's text.

import os
import time
import requests

HEADERS = {
    "Content-Type": "application/json",
    "Authorization": f"Bearer {os.environ['OXEN_API_KEY']}",
}

enqueue = requests.post(
    "https://hub.oxen.ai/api/ai/queue",
    headers=HEADERS,
    json={
        "model": "ltx-2-3-quality-text-to-video",
        "prompt": "<prompt>"
    },
)
enqueue.raise_for_status()
generation_id = enqueue.json()["generations"][0]["generation_id"]

while True:
    data = requests.get(
        f"https://hub.oxen.ai/api/ai/queue/{generation_id}",
        headers=HEADERS,
    ).json()
    if data["status"] in {"succeeded", "failed", "cancelled"}:
        break
    time.sleep(5)

if data["status"] == "succeeded":
    print(f"Result: {data['result_url']}")
else:
    print(f"Generation {data['status']}: {data.get('error_message')}")
