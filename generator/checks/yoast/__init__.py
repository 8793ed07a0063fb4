"""Yoast SEO's German content analysis (free plugin, yoastseo 3.6.0), reimplemented so that
genpost's Yoast profile gives Yoast's own verdicts. See analysis.py."""

from .analysis import READABILITY_ASSESSMENTS, SEO_ASSESSMENTS, YoastAnalysis, YoastPaper, rating

__all__ = ["READABILITY_ASSESSMENTS", "SEO_ASSESSMENTS", "YoastAnalysis", "YoastPaper", "rating"]
