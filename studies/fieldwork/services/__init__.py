"""Every write of the fieldwork app: capture sync (observations.py) and photos (photos.py)."""
