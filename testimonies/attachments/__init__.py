"""Photos, documents and recordings: checking an upload and stripping EXIF/GPS
from derived copies (processing.py, where photo blurring also lives), the
sealed originals with their SHA-256 custody, and the attachment pages."""
