"""Views of station work, split by feature: projects, activities, resources, groups, funds, plans."""
