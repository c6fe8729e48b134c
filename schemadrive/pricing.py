"""What a generation will cost, from the model object's ``pricing`` (docs/hub-contract.md §6.5).

Pure: no HTTP. :func:`estimate` reads the pricing object and the prepared payload and returns
an :class:`Estimate`: a ``Decimal`` amount with the breakdown it used, or "unknown" with the
reason. It never guesses: a method, a rate or a quantity it cannot read makes the estimate
unknown, and a budget check treats unknown as over budget.

What is understood:

* ``per_video_output_second``: seconds of video x the rate per second. The seconds are the
  payload's ``duration`` (``6``, ``"6"``, ``"6s"``), else ``num_frames`` / ``frames_per_second``
  (or ``fps``). The rate is ``cost_per_second``; ``cost_per_second_with_audio`` when the payload
  generates audio (``generate_audio`` is true); ``cost_per_second_high_res`` when the resolution
  is high (:data:`HIGH_RESOLUTIONS`: above 1080p); ``cost_per_second_by_resolution[resolution]``
  when the pricing lists the resolution. A combination the pricing has no rate for (high
  resolution with audio) is unknown.
* ``per_image``: ``cost_per_image`` per image (``num_images`` / ``num_outputs`` when the schema
  has one), or ``cost_per_image_grid[quality][resolution]`` when the payload names both.
* ``num_generations`` in the payload, and ``count``, multiply the amount.
* ``token`` and ``time`` are unknown before the run (the tokens or seconds of compute are
  known only afterwards); so is a model whose object carries no ``pricing`` (GMI Cloud).

The currency is not stated by the hub; it is taken to be US dollars.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

__all__ = [
    "HIGH_RESOLUTIONS", "STANDARD_RESOLUTIONS", "Estimate", "describe_pricing", "estimate",
    "parse_amount",
]  # fmt: skip

CURRENCY = "USD"

#: Resolutions billed at ``cost_per_second_high_res``: anything above 1080p. Width x height
#: values (``2560x1440``) count as high when their shorter side is above 1080.
HIGH_RESOLUTIONS = frozenset({"1440p", "2k", "2160p", "4k", "uhd", "qhd"})
#: Resolutions billed at the normal rate: 1080p and below, including the named sizes some
#: schemas use (``landscape_16_9`` is 1024x576).
STANDARD_RESOLUTIONS = frozenset(
    {
        "360p", "480p", "540p", "576p", "720p", "1080p", "hd", "fhd", "sd",
        "square", "square_hd", "portrait_4_3", "portrait_16_9", "landscape_4_3",
        "landscape_16_9",
    }
)  # fmt: skip
_SIZE = re.compile(r"(\d+)\s*[x×*]\s*(\d+)")
_SECONDS = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds?)?\s*")
_IMAGE_COUNT_KEYS = ("num_images", "num_outputs", "n")


@dataclass(frozen=True)
class Estimate:
    """An estimated cost: ``amount`` (a Decimal, in ``currency``) or None when unknown.

    ``breakdown`` lists, for people, how the amount was reached (``"6 s x 0.16 USD/s
    (cost_per_second_with_audio)"``); ``reason`` says why an unknown estimate is unknown;
    ``method`` is the pricing method; ``count`` how many generations it covers.
    """

    amount: Decimal | None
    currency: str = CURRENCY
    breakdown: tuple[str, ...] = ()
    reason: str | None = None
    method: str | None = None
    count: int = 1
    details: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def known(self) -> bool:
        return self.amount is not None

    @classmethod
    def unknown(cls, reason: str, *, method: str | None = None, count: int = 1) -> Estimate:
        return cls(None, reason=reason, method=method, count=count)

    @classmethod
    def total(cls, estimates: Iterable[Estimate]) -> Estimate:
        """The sum of several estimates; unknown (with the first reason) if any is unknown."""
        amount = Decimal(0)
        count = 0
        unknown = 0
        reason: str | None = None
        currency = CURRENCY
        for item in estimates:
            count += item.count
            currency = item.currency
            if item.amount is None:
                unknown += 1
                reason = reason or item.reason
            else:
                amount += item.amount
        if unknown:
            text = f"{unknown} of the estimates are unknown: {reason}"
            return cls(None, currency=currency, reason=text, count=count)
        lines = (f"{count} generations",)
        return cls(tidy(amount), currency=currency, breakdown=lines, count=count)

    def exceeds(self, budget: Decimal | int | str) -> bool:
        """True when this estimate is over ``budget``, or unknown (nothing is guessed)."""
        return self.amount is None or self.amount > Decimal(str(budget))

    def __str__(self) -> str:
        if self.amount is None:
            return f"unknown ({self.reason})"
        text = f"{format_amount(self.amount)} {self.currency}"
        return f"{text} ({'; '.join(self.breakdown)})" if self.breakdown else text

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready form (the amount as a decimal string, as the hub writes costs)."""
        return {
            "amount": None if self.amount is None else format_amount(self.amount, 6),
            "currency": self.currency,
            "breakdown": list(self.breakdown),
            "reason": self.reason,
            "method": self.method,
            "count": self.count,
        }


#: Amounts are kept to this precision, rounded up (an estimate never comes out low).
PRECISION = Decimal("0.000001")


def tidy(amount: Decimal) -> Decimal:
    """``Decimal("1.280000")`` -> ``Decimal("1.28")`` (and ``100`` stays ``100``, not 1E+2)."""
    normal = amount.normalize()
    exponent = normal.as_tuple().exponent
    return normal if isinstance(exponent, int) and exponent <= 0 else amount.quantize(Decimal(1))


def format_amount(amount: Decimal, places: int = 4) -> str:
    """``Decimal("0.960000")`` -> ``"0.96"``; at most ``places`` decimals, never an exponent."""
    if amount.as_tuple().exponent < -places:  # type: ignore[operator]
        amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(amount.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".") or "0"


def parse_amount(value: Any) -> Decimal | None:
    """A non-negative finite Decimal from a number or decimal string; None otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() and number >= 0 else None


def estimate(pricing: Any, payload: Mapping[str, Any], *, count: int = 1) -> Estimate:
    """The cost of ``count`` runs of ``payload`` (prepared: defaults filled) by ``pricing``."""
    generations = payload.get("num_generations", 1)
    if isinstance(generations, bool) or not isinstance(generations, int) or generations < 1:
        return Estimate.unknown(f"num_generations is not a positive integer: {generations!r}")
    runs = count * generations
    if not isinstance(pricing, Mapping):
        return Estimate.unknown("the model object has no pricing", count=runs)
    method = pricing.get("method")
    if method == "per_video_output_second":
        one = _per_video_second(pricing, payload)
    elif method == "per_image":
        one = _per_image(pricing, payload)
    elif method == "token":
        one = Estimate.unknown("priced per token: the token count is known only after the run")
    elif method == "time":
        one = Estimate.unknown("priced by compute time, known only after the run")
    else:
        one = Estimate.unknown(f"pricing method {method!r} is not one schemadrive understands")
    if one.amount is None:
        return Estimate.unknown(one.reason or "unknown", method=method, count=runs)
    lines = one.breakdown
    if runs != 1:
        lines = (*lines, f"x {runs} generations")
    return Estimate(
        tidy(one.amount * runs), breakdown=lines, method=method, count=runs, details=one.details
    )


def _rate(pricing: Mapping[str, Any], key: str) -> Decimal | None:
    return parse_amount(pricing.get(key))


def resolution_class(value: Any) -> str | None:
    """``"high"``, ``"standard"``, or None when the resolution cannot be told apart."""
    if not isinstance(value, str):
        return None
    word = value.strip().lower()
    if word in HIGH_RESOLUTIONS:
        return "high"
    if word in STANDARD_RESOLUTIONS:
        return "standard"
    size = _SIZE.fullmatch(word)
    if size:
        return "high" if min(int(size.group(1)), int(size.group(2))) > 1080 else "standard"
    return None


def video_seconds(payload: Mapping[str, Any]) -> Decimal | None:
    """The length of the video the payload asks for, in seconds (None: not stated)."""
    duration = payload.get("duration")
    if isinstance(duration, str):
        match = _SECONDS.fullmatch(duration)
        duration = match.group(1) if match else None
    seconds = parse_amount(duration)
    if seconds is not None and seconds > 0:
        return seconds
    frames = parse_amount(payload.get("num_frames"))
    fps = parse_amount(payload.get("frames_per_second", payload.get("fps")))
    if frames is not None and fps:
        return frames / fps
    return None


def _per_video_second(pricing: Mapping[str, Any], payload: Mapping[str, Any]) -> Estimate:
    seconds = video_seconds(payload)
    if seconds is None:
        reason = "the payload states no duration (the length may follow an input, e.g. audio)"
        return Estimate.unknown(reason)
    audio = payload.get("generate_audio") is True
    resolution = payload.get("resolution")
    by_resolution = pricing.get("cost_per_second_by_resolution")
    key: str
    if isinstance(by_resolution, Mapping) and resolution in by_resolution:
        if audio and _rate(pricing, "cost_per_second_with_audio") is not None:
            return Estimate.unknown(f"the pricing has no rate for {resolution} with audio")
        rate, key = (
            parse_amount(by_resolution[resolution]),
            f"cost_per_second_by_resolution[{resolution}]",
        )
    else:
        high_rate = _rate(pricing, "cost_per_second_high_res")
        high = False
        if high_rate is not None and resolution is not None:
            kind = resolution_class(resolution)
            if kind is None:
                return Estimate.unknown(
                    f"cannot tell whether resolution {resolution!r} is billed as high resolution"
                )
            high = kind == "high"
        if high and audio and _rate(pricing, "cost_per_second_with_audio") is not None:
            return Estimate.unknown(
                f"the pricing has no rate for high resolution ({resolution}) with audio"
            )
        if high:
            rate, key = high_rate, "cost_per_second_high_res"
        elif audio and _rate(pricing, "cost_per_second_with_audio") is not None:
            rate, key = _rate(pricing, "cost_per_second_with_audio"), "cost_per_second_with_audio"
        else:
            rate, key = _rate(pricing, "cost_per_second"), "cost_per_second"
    if rate is None:
        return Estimate.unknown(f"the pricing has no usable {key}")
    line = f"{format_amount(seconds)} s x {format_amount(rate)} {CURRENCY}/s ({key})"
    details = {"seconds": seconds, "rate": rate, "rate_name": key}
    amount = tidy((seconds * rate).quantize(PRECISION, rounding=ROUND_CEILING))
    return Estimate(amount, breakdown=(line,), details=details)


def _per_image(pricing: Mapping[str, Any], payload: Mapping[str, Any]) -> Estimate:
    images = 1
    for name in _IMAGE_COUNT_KEYS:
        value = payload.get(name)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                return Estimate.unknown(f"{name} is not a positive integer: {value!r}")
            images = value
            break
    grid = pricing.get("cost_per_image_grid")
    quality = payload.get("output_quality", payload.get("quality"))
    if isinstance(grid, Mapping) and isinstance(quality, str) and quality in grid:
        row = grid[quality]
        size = payload.get("resolution", payload.get("image_size"))
        if not isinstance(row, Mapping) or not isinstance(size, str) or size not in row:
            return Estimate.unknown(f"the price grid has no entry for {quality!r} at {size!r}")
        rate, key = parse_amount(row[size]), f"cost_per_image_grid[{quality}][{size}]"
    else:
        rate, key = _rate(pricing, "cost_per_image"), "cost_per_image"
    if rate is None:
        return Estimate.unknown(f"the pricing has no usable {key}")
    line = f"{images} image{'s' if images != 1 else ''} x {format_amount(rate)} {CURRENCY} ({key})"
    return Estimate(rate * images, breakdown=(line,), details={"rate": rate, "rate_name": key})


_RATE_LABELS = (
    ("cost_per_second", "{} USD/s"),
    ("cost_per_second_with_audio", "{} USD/s with audio"),
    ("cost_per_second_high_res", "{} USD/s at high resolution (above 1080p)"),
    ("cost_per_image", "{} USD per image"),
    ("input_cost_per_token", "{} USD per input token"),
    ("output_cost_per_token", "{} USD per output token"),
)


def describe_pricing(pricing: Any) -> str | None:
    """A model's pricing in one line for people (None when it has none)::

    "per_video_output_second: 0.12 USD/s, 0.16 USD/s with audio, ..."
    """
    if not isinstance(pricing, Mapping) or not pricing.get("method"):
        return None
    parts = []
    for key, label in _RATE_LABELS:
        rate = parse_amount(pricing.get(key))
        if rate is not None:
            parts.append(label.format(format_amount(rate, 8)))
    for key in ("cost_per_second_by_resolution", "cost_per_image_grid"):
        table = pricing.get(key)
        if isinstance(table, Mapping) and table:
            parts.append(f"{key} {json.dumps(table, sort_keys=True)}")
    rates = ", ".join(parts) if parts else "no rates listed"
    return f"{pricing['method']}: {rates}"
