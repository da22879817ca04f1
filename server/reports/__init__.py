"""Ranking reports (日/周/月通报, PK 龙虎榜): PNG poster, Markdown, webhooks, CSV/XLSX.

Plain functions over plain data: nothing here knows Flask or the database. The boards build a
`Report`; these modules turn it into things a WeChat group, a WeCom robot or Excel can take.
"""
from server.reports.report import Report, Section, Table, sections

__all__ = ["Report", "Section", "Table", "sections"]
