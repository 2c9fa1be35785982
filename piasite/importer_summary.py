def import_summary(text): raise NotImplementedError
