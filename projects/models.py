"""Service work of a station: projects, activities, resources, volunteers, organisations, funds, plans."""
