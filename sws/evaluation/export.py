"""The evaluation as worksheets (XLSX): scores with comments and responses, deliverables, rectifications,
the months read and the trail."""

from django.utils import timezone

from sws.exports import Sheet


def _share_or_value(score):
    if score.measured is None:
        return "" if score.indicator.kind == "scored" else "无数据"
    if score.indicator.is_share:
        return f"{score.measured * 100:.1f}%"
    return score.measured.normalize()


def sheets(context) -> list[Sheet]:
    evaluation = context["evaluation"]
    head = [
        f"{evaluation.station.name} {evaluation.period_label}考核评估",
        f"考核期间：{evaluation.period_start:%Y-%m-%d} 至 {evaluation.period_end:%Y-%m-%d}",
        f"状态：{evaluation.get_status_display()}"
        + (
            f"；总分 {evaluation.total}，等级 {evaluation.get_grade_display()}"
            if evaluation.is_locked
            else ""
        ),
    ]
    score_rows = []
    for block in context["blocks"]:
        for score in block.scores:
            score_rows.append(
                [
                    block.dimension.name,
                    score.indicator.name,
                    score.indicator.get_kind_display(),
                    score.indicator.max_score,
                    _share_or_value(score),
                    score.value,
                    score.comment,
                    score.scored_by.get_full_name() if score.scored_by else "",
                    score.response,
                ]
            )
    result = [
        Sheet(
            "指标得分",
            ["维度", "指标", "方式", "满分", "实际值", "得分", "评分说明", "评分人", "站点反馈"],
            score_rows,
            widths=[14, 24, 10, 8, 10, 8, 40, 10, 40],
            preamble=head,
        ),
        Sheet(
            "维度汇总",
            ["维度", "权重", "得分（折算）"],
            [[b.dimension.name, b.dimension.weight, b.weighted] for b in context["blocks"]],
            widths=[20, 10, 12],
            preamble=head,
        ),
    ]
    if context["deliverables"]:
        result.append(
            Sheet(
                "合同指标",
                ["指标", "年度目标", "实际完成", "完成率"],
                [
                    [
                        d["label"],
                        d["target"],
                        d["actual"],
                        f"{d['percent']}%" if d["percent"] is not None else "",
                    ]
                    for d in context["deliverables"]
                ],
                widths=[20, 10, 10, 10],
                preamble=[*head, f"服务合同：{evaluation.contract}"],
            )
        )
    result.append(
        Sheet(
            "整改事项",
            ["整改事项", "相关指标", "责任人", "整改期限", "状态", "整改情况"],
            [
                [
                    r.description,
                    r.indicator.name if r.indicator else "",
                    r.owner.get_full_name(),
                    r.due_on,
                    r.get_status_display() + ("（逾期）" if r.overdue else ""),
                    r.report,
                ]
                for r in context["rectifications"]
            ],
            widths=[40, 20, 10, 12, 14, 40],
            preamble=head,
        )
    )
    result.append(
        Sheet(
            "取数月份",
            ["月份", "数据状态"],
            [
                [f"{m['year']}年{m['month']}月", "已锁定月报" if m["locked"] else "实时数据（月报未锁定）"]
                for m in context["months"]
            ],
            widths=[14, 24],
            preamble=head,
        )
    )
    result.append(
        Sheet(
            "评估记录",
            ["时间", "操作人", "操作", "说明"],
            [
                [
                    timezone.localtime(e.at),
                    e.actor.get_full_name() if e.actor else "系统",
                    e.get_action_display(),
                    e.note,
                ]
                for e in context["events"]
            ],
            widths=[18, 12, 16, 50],
            preamble=head,
        )
    )
    return result
