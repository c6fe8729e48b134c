# Verbatim from shared/seeds/003_fcbbe4b843da404d.txt, tab "Sync" > "Minimal" (Python).
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
        "model": "ltx-2-3-quality-image-to-video",
        "prompt": "<prompt>",
        "input_image": "https://hub.oxen.ai/api/repos/elau/assets/file/main/bloxy/bloxy_cropped_512x512.png"
    },
)
response.raise_for_status()
print(response.json())
