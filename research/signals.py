"""What the researchers' tools do when a testimony is erased for good.

Erasure (testimonies.consent.services.erasure) empties every stored copy of
a testimony's text; a reader's private note may quote it, and a collection
would keep naming it. Both go in the same transaction as the erasure. The
testimonies app cannot know of this app (imports run one way): it hears of
the erasure through the model's post_save.
"""

from research.models import CollectionItem, Note
from testimonies.models import TestimonyStatus


def testimony_saved(sender, instance, **kwargs):
    if instance.status == TestimonyStatus.ERASED:
        Note.objects.filter(testimony=instance).delete()
        CollectionItem.objects.filter(testimony=instance).delete()
