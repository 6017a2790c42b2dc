from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from puente.core.checks import add_configuration_check


class ChannelsConfig(AppConfig):
    name = "puente.channels"
    label = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from puente.audit.labels import add_object_label
        from puente.audit.visibility import add_content_reader, readable_with
        from puente.channels.attachments import remove_file_on_delete
        from puente.channels.configuration import channel_configuration_reasons
        from puente.channels.models import Attachment
        from puente.core.permissions import Perm

        add_configuration_check(channel_configuration_reasons)
        # The advocates' queue on home: waiting calls, threads, chats, tips and e-mails.
        from puente.channels.live_views import queue_for
        from puente.core.home import add_home_section

        add_home_section(
            name="channels_queue", order=5, template="channels/_home_queue.html", load=queue_for
        )
        # The home page's read is audited with the sections shown: this one by name.
        from puente.audit.labels import add_picklist

        add_picklist(
            [("channels_queue", _("waiting calls, conversations and tips"))],
            object_type="home",
            field="sections",
        )
        # A purged contact's attachments leave the disk with their rows (retention deletes
        # contacts with everything that cascades from them, `intake.purge_contacts`).
        post_delete.connect(remove_file_on_delete, sender=Attachment, dispatch_uid="attachment")
        # What a thread, a call or an attachment did is audited on its contact (object type
        # "contact", intake's rule decides who reads it, and a purge forgets it). Refused
        # webhooks are audited per source address and hour: for those who read the trail.
        add_content_reader(object_types=["webhook"], may_read=readable_with(Perm.AUDIT_VIEW))
        add_object_label("webhook", _("provider webhook"))
