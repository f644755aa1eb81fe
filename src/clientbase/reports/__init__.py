"""The summary report: data collected once, rendered as text, Markdown, HTML or JSON."""
