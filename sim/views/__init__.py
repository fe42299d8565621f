"""How results look: `console` tables, the number `formatting`, the `summary_rows` shared
by the console and the report, the `palette`, `plots`, the HTML `report`, the `progress`
bar and the deal `trace`.
"""
