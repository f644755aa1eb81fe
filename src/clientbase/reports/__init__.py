"""The summary report's rendering: sections as blocks, a writer per format, the alert check.

The figures are collected by ``services.report_data``; nothing here reads the database.
"""
