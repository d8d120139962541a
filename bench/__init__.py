"""The city-scale benchmark (issue #7): seed a city, time every main page, report. See docs/performance.md."""
