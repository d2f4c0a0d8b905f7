"""Simplified Chinese texts of the console's alert pages (merged into gateway.console.catalog_zh.ZH_HANS)."""

ALERTS_ZH_HANS: dict[str, str] = {
    "A county may let its admins launch an extreme (特别重大) alert without a second person's approval; every skip is "
    "written to the audit log.": "县级可允许管理员发布特别重大预警时免审批；每次免审批都记入操作日志。",
    "Admins may skip approval for extreme alerts": "管理员发布特别重大预警可免审批",
    "Alert": "预警",
    "Alert rules": "预警规则",
    "An alert always needs a second person's approval, whatever its size.": "预警无论覆盖多少人，都须由另一人审批。",
    "Area": "区域",
    "Cancel the alert": "解除预警",
    "Drill": "演练",
    "Drill: every text is marked 【演练】 / [TEST]": "演练：每条内容都标注【演练】/ [TEST]",
    "Event": "事件",
    "Event (e.g. 暴雪)": "事件类型（如 暴雪）",
    "Expires at": "失效时间",
    "Expires at (local time, {zone})": "失效时间（当地时间，{zone}）",
    "New alert": "新建预警",
    "New expiry (local time, empty: unchanged)": "新的失效时间（当地时间，留空则不变）",
    "No county in your grids.": "您的网格中没有县级网格。",
    "Prepare the cancel": "准备解除",
    "Prepare the update": "准备更新",
    "Send an all-clear (解除) message": "发送解除消息",
    "Severity": "级别",
    "The update or cancel is saved as a draft: once approved and launched, it stops the alert's unsent messages.": "更新或解除先保存为草稿：审批并发布后，原预警尚未发出的消息即停止。",  # noqa: E501
    "Update the alert": "更新预警",
    "Valid from": "生效时间",
    "Valid from (local time, {zone})": "生效时间（当地时间，{zone}）",
    "Your county lets admins launch an extreme alert without approval; the launch is written to the audit log.": "本县允许管理员发布特别重大预警时免审批；发布记入操作日志。",  # noqa: E501
    "choose": "请选择",
    "empty: a plain all-clear message": "留空：发送简单的解除消息",
    "the alert it refers to": "对应的原预警",
    "extreme": "特别重大",
    "severe": "重大",
    "moderate": "较大",
    "minor": "一般",
    "alert": "预警",
    "update": "更新",
}
