# Verbatim from shared/seeds/003_fcbbe4b843da404d.txt, tab "Async" > "All parameters" (Python).
# tests/integration/test_seed_examples.py runs it against LocalHub, changing only the base URL
# (https://hub.oxen.ai) and OXEN_API_KEY. Everything below this header is the document's text.
# Defect in the document: `"generate_audio": true` is JSON, not Python (NameError).
# ruff: noqa: F821

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
        "model": "ltx-2-3-quality-image-to-video",
        "prompt": "<prompt>",
        "input_image": "https://hub.oxen.ai/api/repos/elau/assets/file/main/bloxy/bloxy_cropped_512x512.png",
        "num_frames": 121,
        "resolution": "auto",
        "frames_per_second": 24,
        "image_strength": 0.7,
        "generate_audio": true,
        "video_quality": "high",
        "negative_prompt": "color distortion, overexposure, static, blurry details, subtitles, style, artwork, painting, frame, still, dim overall tone, worst quality, low quality, JPEG compression artifacts, ugly, mutilated, extra fingers, poorly drawn hands, poorly drawn face, deformed, disfigured, malformed limbs, fused fingers, motionless frame, cluttered background, three legs, crowded background, walking backwards"
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
