"""The "Proceeding contribution" seed format, read by two parsers that give the same record.

`storage.parser` is the public entry (`parse_contribution` and the sniff); this
package holds its parts:

- `vocabulary`: labels, headings, object names and shared regexes; `clip` for messages.
- `dates`: the sitting date and the index Timestamp.
- `uris`: the three URI forms and the contribution id in each.
- `references`: column references such as "506 c185-6".
- `names`: whether a line could be a name or a title, or reads as prose.
- `preliminary`: the preliminary sentence ("Proceeding contribution from ...").
- `fast_path`: pages laid out exactly like the sample, read by one regex.
- `page`: the general reader, any layout, line by line, with located errors.
"""
