"""genpost: German SEO blog posts for WordPress, written by an LLM and proven by a checker."""

__version__ = "0.1.0"
