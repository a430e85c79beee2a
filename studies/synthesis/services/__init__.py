"""Every write of synthesis: insights and evidence, tags, routing, boards and quote uses."""
