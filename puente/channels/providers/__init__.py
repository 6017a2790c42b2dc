"""The provider this deployment uses (PUENTE_CHANNEL_PROVIDER), or None when channels are
switched off ("none": the webhooks answer 404 and nothing is sent)."""

from __future__ import annotations

from django.conf import settings

from puente.channels.providers.base import ChannelProvider, ProviderError
from puente.channels.providers.demo import DemoProvider
from puente.channels.providers.twilio import TwilioProvider
from puente.core import sandbox

__all__ = ["ChannelProvider", "ProviderError", "TwilioProvider", "current_provider"]


def current_provider() -> ChannelProvider | None:
    # A practice call sends nothing to anyone's phone (puente/core/sandbox.py).
    if sandbox.active():
        return None
    if settings.PUENTE_CHANNEL_PROVIDER == "twilio":
        # The demo checks webhooks as Twilio's but sends nothing (providers/demo.py).
        provider_class = DemoProvider if settings.PUENTE_DEMO else TwilioProvider
        return provider_class(
            account_sid=settings.TWILIO_ACCOUNT_SID,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            api_url=settings.TWILIO_API_URL,
            timeout=settings.PUENTE_CHANNEL_TIMEOUT_SECONDS,
        )
    return None
