"""Server-drawn SVG line charts: where each value lands, gaps, labels, the text summary."""

from django.template.loader import render_to_string

from frontend.charts import BOTTOM, LEFT, RIGHT, TOP, Series, line_chart


def test_values_are_placed_between_the_axes_from_zero_to_the_top():
    chart = line_chart(
        title="Freezer",
        x_labels=["Q1", "Q2", "Q3"],
        series=[Series("Freezer", [0.0, 0.5, 1.0])],
        width=200,
        height=100,
    )

    dots = chart.lines[0].dots
    plot_width, plot_height = 200 - LEFT - RIGHT, 100 - TOP - BOTTOM
    assert [(dot.x, dot.y) for dot in dots] == [
        (LEFT, TOP + plot_height),
        (LEFT + plot_width / 2, TOP + plot_height / 2),
        (LEFT + plot_width, TOP),
    ]
    assert [tick.text for tick in chart.y_ticks] == ["0%", "50%", "100%"]
    assert chart.summary == "Freezer: Q1: 0%, Q2: 50%, Q3: 100%"


def test_a_missing_value_breaks_the_line_and_is_left_out_of_the_summary():
    chart = line_chart(
        title="Tubs",
        x_labels=["Q1", "Q2", "Q3", "Q4"],
        series=[Series("Tubs", [0.25, None, 0.5, 0.75])],
    )

    line = chart.lines[0]
    assert len(line.dots) == 3
    assert len(line.segments) == 1  # Q1 stands alone; Q3 → Q4 is drawn
    assert chart.summary == "Tubs: Q1: 25%, Q3: 50%, Q4: 75%"


def test_a_single_round_sits_in_the_middle():
    chart = line_chart(title="One", x_labels=["Q1"], series=[Series("One", [0.5])], width=200)

    assert chart.x_ticks[0].position == LEFT + (200 - LEFT - RIGHT) / 2
    assert chart.lines[0].segments == ()


def test_many_rounds_label_every_other_one_and_always_the_latest():
    labels = [f"R{n}" for n in range(1, 10)]

    chart = line_chart(title="Nine", x_labels=labels, series=[Series("Nine", [0.1] * 9)])

    assert [tick.text for tick in chart.x_ticks] == ["R1", "R3", "R5", "R7", "R9"]


def test_the_svg_names_itself_for_screen_readers_and_shows_a_legend_for_several_lines():
    chart = line_chart(
        title="Two tags",
        x_labels=["Q1", "Q2"],
        series=[Series("Tubs", [0.1, 0.2]), Series("Labels", [0.3, None])],
    )

    html = render_to_string("frontend/_line_chart.html", {"chart": chart, "chart_id": "c1"})

    assert 'role="img" aria-labelledby="c1-title c1-desc"' in html
    assert '<title id="c1-title">Two tags</title>' in html
    assert "Tubs: Q1: 10%, Q2: 20%; Labels: Q1: 30%" in html
    assert html.count('class="chart-key') == 2
