"""Cards: any sentence-transformers model card read into facts, and facts turned into a variant.

`facts` is the data model (model, data sets, losses, evaluators, logs, what was not read); `markdown` the
reading of Markdown and values that parsing shares; `frontmatter` the YAML front matter (broken YAML too);
`parse` a card of sentence-transformers 3.x and later, `legacy` what a 2.x card adds; `sources` card files,
hub ids and the facts files in references/; `variant` the variant a card's facts make.

Imports `simpipe.core` and, for `variant`, the config sections and the losses simpipe offers.
"""
