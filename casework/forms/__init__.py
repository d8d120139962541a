"""Forms of casework. Field names match the services' keyword arguments; the services check the step."""
