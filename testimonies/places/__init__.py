"""The gazetteer: governorates, districts, towns and neighbourhoods in Arabic
and English with their spelling variants, and finding a place by any name."""
