"""Words of the notes ingest writes in a file's reading report (service/ingest.py,
``reading_note.*``), stored as messages (i18n.stored) and said in the reader's language.

The English words are the notes ingest wrote before, byte for byte. A note of a file that holds
several batches names the parts (``part file``, 部分文件, as ``ingest.part_problem`` says) that
booked or refused the other batches; a reason inside a note is the stored problem itself.
"""
WORDS: dict[str, tuple[str, str]] = {
    "reading_note.part_of": ("文件 {file} 的一部分：其中批次 {batch} 的记录；该文件其他跳过的记录见文件 {file} 的读取报告",
                             "part of file {file}: the entries of batch {batch} in it; the file's other skipped entries "
                             "are in file {file}'s reading report"),
    "reading_note.batch_refused": ("批次 {batch}：其记录已读取，未入账：{problem}",
                                   "batch {batch}: its records were read and not booked: {problem}"),
    "reading_note.entries": ("{count} 笔记录（{fen} 分）", "{count} entries ({fen} fen)"),
    "reading_note.batch_in_part": ("批次 {batch}：其 {entries}由部分文件 {part} 读取，入账和跳过的情况见该文件的读取报告",
                                   "batch {batch}: its {entries} read by part file {part}, whose reading report says "
                                   "what it booked and skipped"),
    "reading_note.batch_part_quarantined": ("批次 {batch}：其 {entries}在此跳过；部分文件 {part} 已隔离：{problem}",
                                            "batch {batch}: its {entries} skipped here; part file {part} quarantined: "
                                            "{problem}"),
}
