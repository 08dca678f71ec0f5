"""Vocabularies: sectors, regions, agencies, commitment types, loaded from data/."""
