"""Payloads the seed documents and the reference show for each recorded fixture, and broken
ones with the path and keyword schemadrive must report. Keys are fixture files under
schemadrive/fixtures/oxen/."""

IMAGE = "https://hub.oxen.ai/api/repos/elau/assets/file/main/bloxy/bloxy_cropped_512x512.png"
AUDIO = "https://example.com/audio.mp3"
LONG_NEGATIVE = (
    "color distortion, overexposure, static, blurry details, subtitles, style, artwork, painting, "
    "frame, still, dim overall tone, worst quality, low quality, JPEG compression artifacts, ugly, "
    "mutilated, extra fingers, poorly drawn hands, poorly drawn face, deformed, disfigured, "
    "malformed limbs, fused fingers, motionless frame, cluttered background, three legs, crowded "
    "background, walking backwards"
)

DOCUMENTED = {
    "ltx-2-3-pro-audio-to-video.json": {
        "valid": [
            {"input_audio": AUDIO, "prompt": "<prompt>"},
            {"input_audio": AUDIO, "input_image": IMAGE},
            {"input_audio": AUDIO, "prompt": "<prompt>", "input_image": IMAGE},
        ],
        "invalid": [
            # the seeds' Minimal example: valid as served, rejected by the strict fixture
            ({"input_audio": AUDIO}, "$", "anyOf"),
            ({"prompt": "x"}, "$.input_audio", "required"),
            ({"input_audio": "not a url", "prompt": "x"}, "$.input_audio", "format"),
        ],
    },
    "versions/ltx-2-3-pro-audio-to-video@2026-06-26.json": {
        "valid": [
            {"input_audio": AUDIO},
            {"input_audio": AUDIO, "prompt": "<prompt>", "input_image": IMAGE},
        ],
        "invalid": [({"input_audio": 3}, "$.input_audio", "type")],
    },
    "versions/ltx-2-3-pro@2026-06-26.json": {
        "valid": [
            {"prompt": "<prompt>"},
            {"prompt": "<prompt>", "input_image": IMAGE, "last_frame_image": IMAGE},
            {
                "prompt": "<prompt>", "input_image": IMAGE, "last_frame_image": IMAGE,
                "task": "image_to_video", "resolution": "1080p", "duration": 6,
                "aspect_ratio": "16:9", "fps": 25, "camera_motion": "none", "generate_audio": True,
            },
        ],
        "invalid": [
            ({"prompt": "x", "duration": 7}, "$.duration", "enum"),
            ({"prompt": "x", "resolution": "720p"}, "$.resolution", "enum"),
            ({"prompt": "x", "camera_motion": "zoom"}, "$.camera_motion", "enum"),
            ({}, "$.prompt", "required"),
        ],
    },
    "ltx-2-3-pro.json": {
        "valid": [
            {"prompt": "<prompt>"},
            {"prompt": "<prompt>", "resolution": "720p", "duration": 3},
        ],
        "invalid": [
            # camera_motion was removed on 2026-07-18: the seeds' All-parameters example breaks
            ({"prompt": "x", "camera_motion": "none"}, "$.camera_motion", "unknown"),
            ({"prompt": "x", "duration": 11}, "$.duration", "enum"),
            ({"prompt": "x", "duration": "6"}, "$.duration", "enum"),
            ({"prompt": "x", "fps": 30}, "$.fps", "enum"),
            ({"prompt": "x", "generate_audio": "false"}, "$.generate_audio", "type"),
        ],
    },
    "versions/ltx-2-3-quality-image-to-video@2026-06-26.json": {
        "valid": [
            {"prompt": "<prompt>", "input_image": IMAGE},
            {
                "prompt": "<prompt>", "input_image": IMAGE, "num_frames": 121,
                "resolution": "auto", "frames_per_second": 24, "image_strength": 0.7,
                "generate_audio": True, "video_quality": "high", "negative_prompt": LONG_NEGATIVE,
            },
            {"prompt": "x", "input_image": IMAGE, "resolution": "anything goes"},
        ],
        "invalid": [({"prompt": "x"}, "$.input_image", "required")],
    },
    "ltx-2-3-quality-image-to-video.json": {
        "valid": [
            {"prompt": "<prompt>", "input_image": IMAGE},
            {"prompt": "x", "input_image": IMAGE, "frames_per_second": 23.976, "seed": 7},
        ],
        "invalid": [
            ({"prompt": "x", "input_image": IMAGE, "resolution": "1080p"}, "$.resolution", "enum"),
            (
                {"prompt": "x", "input_image": IMAGE, "image_strength": 1.5},
                "$.image_strength",
                "maximum",
            ),
            ({"prompt": "x", "input_image": IMAGE, "seed": None}, "$.seed", "type"),
            ({"prompt": "x", "input_image": IMAGE, "num_frames": 8}, "$.num_frames", "minimum"),
        ],
    },
    "versions/ltx-2-3-quality-text-to-video@2026-06-26.json": {
        "valid": [
            {"prompt": "<prompt>"},
            {
                "prompt": "<prompt>", "num_frames": 121, "resolution": "landscape_16_9",
                "frames_per_second": 24, "generate_audio": True, "video_quality": "high",
                "negative_prompt": LONG_NEGATIVE,
            },
        ],
        "invalid": [({"prompt": "x", "video_quality": "ultra"}, "$.video_quality", "enum")],
    },
    "ltx-2-3-quality-text-to-video.json": {
        "valid": [
            {"prompt": "<prompt>"},
            {"prompt": "x", "resolution": "square_hd", "num_frames": 481},
        ],
        "invalid": [
            ({"prompt": "x", "resolution": "auto"}, "$.resolution", "enum"),
            ({"prompt": "x", "num_frames": 482}, "$.num_frames", "maximum"),
            ({"prompt": "x", "frames_per_second": "24"}, "$.frames_per_second", "type"),
            ({"prompt": "x", "num_frame": 121}, "$.num_frame", "unknown"),
        ],
    },
    "black-forest-labs-flux-2-klein-4b.json": {
        "valid": [{"prompt": "a cat"}, {"prompt": "a cat", "input_image": [IMAGE], "seed": 3}],
        "invalid": [
            ({"prompt": "a cat", "input_image": IMAGE}, "$.input_image", "type"),
            ({"prompt": "a cat", "num_inference_steps": 0}, "$.num_inference_steps", "minimum"),
        ],
    },
}

#: Defaults each current fixture fills into ``{}`` (from the seed documents' All-parameters tabs).
DEFAULTS = {
    "ltx-2-3-pro.json": {
        "task": "image_to_video", "resolution": "1080p", "duration": 6, "aspect_ratio": "16:9",
        "fps": 25, "generate_audio": True,
    },
    "versions/ltx-2-3-pro@2026-06-26.json": {
        "task": "image_to_video", "resolution": "1080p", "duration": 6, "aspect_ratio": "16:9",
        "fps": 25, "camera_motion": "none", "generate_audio": True,
    },
    "versions/ltx-2-3-quality-image-to-video@2026-06-26.json": {
        "num_frames": 121, "resolution": "auto", "frames_per_second": 24, "image_strength": 0.7,
        "generate_audio": True, "video_quality": "high", "negative_prompt": LONG_NEGATIVE,
    },
    "ltx-2-3-quality-text-to-video.json": {
        "num_frames": 121, "resolution": "landscape_16_9", "frames_per_second": 24,
        "generate_audio": True, "video_quality": "high",
    },
    "ltx-2-3-pro-audio-to-video.json": {},
}
