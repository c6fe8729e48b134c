# Verbatim from shared/seeds/004_223611cfd20e0860.txt, tab "Sync" > "Minimal" (Python).
# tests/integration/test_seed_examples.py runs it against LocalHub, changing only the base URL
# (https://hub.oxen.ai) and OXEN_API_KEY. Everything below this header is the document's text.

import os
import requests

response = requests.post(
    "https://hub.oxen.ai/api/ai/videos/generate",
    headers={
        "Content-Type": "application/json",
        "Authorization": f"Bearer {os.environ['OXEN_API_KEY']}",
    },
    json={
        "model": "ltx-2-3-quality-text-to-video",
        "prompt": "<prompt>"
    },
)
response.raise_for_status()
print(response.json())
