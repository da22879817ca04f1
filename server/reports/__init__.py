"""Daily ranking reports (日通报 / PK 龙虎榜): PNG poster, Markdown, webhooks, CSV/XLSX.

Plain functions over plain data: nothing here knows Flask or the database. The boards build a
`Report`; these modules turn it into things a WeChat group, a WeCom robot or Excel can take.
"""
from server.reports.report import Report, Section, sections

__all__ = ["Report", "Section", "sections"]
