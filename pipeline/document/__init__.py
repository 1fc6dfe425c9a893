"""Documents → rows: read inputs into documents of paragraphs and sentences
(`inputs`, `sentences`), translate and align them (`core`), repair what the
translation lost or broke (`repair`), score (`rowscore`) and flag (`checks`) each row.

    from pipeline.document.inputs import read_document
    from pipeline.document.core import translate_documents
    rows = translate_documents([read_document("a.txt")], translator)[0].rows
"""
