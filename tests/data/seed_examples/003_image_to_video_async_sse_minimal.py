# Verbatim from shared/seeds/003_fcbbe4b843da404d.txt, tab "Async with SSE" > "Minimal" (Python).
# tests/integration/test_seed_examples.py runs it against LocalHub, changing only the base URL
# (https://hub.oxen.ai) and OXEN_API_KEY. Everything below this header is the document's text.

import json
import os
import requests

API_KEY = os.environ["OXEN_API_KEY"]
AUTH = {"Authorization": f"Bearer {API_KEY}"}

enqueue = requests.post(
    "https://hub.oxen.ai/api/ai/queue",
    headers={**AUTH, "Content-Type": "application/json"},
    json={
        "model": "ltx-2-3-quality-image-to-video",
        "prompt": "<prompt>",
        "input_image": "https://hub.oxen.ai/api/repos/elau/assets/file/main/bloxy/bloxy_cropped_512x512.png"
    },
)
enqueue.raise_for_status()
generation_id = enqueue.json()["generations"][0]["generation_id"]

with requests.get(
    "https://hub.oxen.ai/api/events",
    headers=AUTH,
    stream=True,
) as stream:
    event_name = None
    for line in stream.iter_lines(decode_unicode=True):
        if line.startswith("event: "):
            event_name = line.removeprefix("event: ")
        elif line.startswith("data: ") and event_name == "media_generation_completed":
            payload = json.loads(line.removeprefix("data: "))
            if payload.get("generation_id") == generation_id:
                print(payload)
                break
