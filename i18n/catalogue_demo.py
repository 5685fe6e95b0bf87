"""Words of ``ykt demo``: its stages, progress lines and timing table."""
WORDS: dict[str, tuple[str, str]] = {
    "demo.stage.submit": ("提交名册", "submit"),
    "demo.stage.approve": ("复核批准", "approve"),
    "demo.stage.fund": ("拨付资金", "fund"),
    "demo.stage.dispatch": ("生成并上传代发文件", "dispatch and upload"),
    "demo.stage.bank": ("银行处理", "bank processing"),
    "demo.stage.book": ("回盘入账", "ingest and booking"),
    "demo.stage.reissue": ("补发", "re-issue"),
    "demo.stage.reconcile": ("对账、结项与三联单", "reconciliation, close and reports"),
    "demo.rows_per_s": ("行/秒", "rows/s"),
    "demo.progress.waiting": ("{label}：进行中，已用 {seconds:.0f} 秒", "{label}: under way, {seconds:.0f} s so far"),
    "demo.progress.done": ("{label}：完成，用时 {seconds:.1f} 秒", "{label}: done, took {seconds:.1f} s"),
    "demo.progress.rows": ("{label}：{done:,} / {total} 行，{rate:,.0f} 行/秒",
                           "{label}: {done:,} of {total} rows, {rate:,.0f} rows/s"),
    "demo.progress.left": ("，约剩 {seconds:.0f} 秒", ", about {seconds:.0f} s left"),
    "demo.progress.took": ("，用时 {seconds:.1f} 秒", ", took {seconds:.1f} s"),
    "demo.timing.title": ("各阶段用时（秒）：", "time per stage (seconds):"),
    "demo.timing.total": ("合计", "total"),
    "demo.needs_correction": ("批次 {batch} 待更正（NEEDS_CORRECTION）：{count:,} 行未通过名册校验，待更正前不予复核批准",
                              "batch {batch} is waiting for correction (NEEDS_CORRECTION): {count:,} line(s) failed "
                              "the roster check; it is not approved while they wait"),
    "demo.left_waiting": ("批次 {batch} 仍待更正（{status}）：保留不批准，不拨付",
                          "batch {batch} still waits for correction ({status}): left as it is, never approved, "
                          "nothing funded"),
}
