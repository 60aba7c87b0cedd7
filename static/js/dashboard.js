/* The statistics dashboard: every number comes from the statistics API (the same endpoints
 * scripts use: /api/v1/stats/applications/, /outcomes/ and /ip-filings/), fetched with the
 * signed-in session; the filters map one to one to the API's query parameters (the IP
 * filings endpoint takes none, so its chart is never filtered). */
(function () {
  "use strict";

  const root = document.getElementById("dashboard");
  if (!root || typeof window.Chart === "undefined") {
    return;
  }
  const strings = JSON.parse(document.getElementById("dashboard-strings").textContent);
  const form = document.getElementById("dashboard-filters");
  const statusLine = document.getElementById("dashboard-status");
  const statsUrl = root.dataset.statsUrl;
  const outcomeStatsUrl = root.dataset.outcomeStatsUrl;
  const ipStatsUrl = root.dataset.ipStatsUrl;
  const numberFormat = new Intl.NumberFormat(document.documentElement.lang || undefined);
  const charts = {};

  // Where each chart's rows come from: [endpoint, group_by, takes the filters].
  const SOURCES = {
    program: [statsUrl, "program", true],
    sector: [statsUrl, "sector", true],
    country: [statsUrl, "country", true],
    month: [statsUrl, "month", true],
    outcomes_country: [outcomeStatsUrl, "country", true],
    ip_country: [ipStatsUrl, "country", false],
  };
  const CHARTS = Object.keys(SOURCES);

  function query(extra, filtered) {
    const params = new URLSearchParams();
    if (filtered !== false) {
      for (const [key, value] of new FormData(form)) {
        if (value) {
          params.append(key, value);
        }
      }
    }
    for (const [key, value] of Object.entries(extra || {})) {
      params.set(key, value);
    }
    return params;
  }

  async function fetchStats(url, groupBy, filtered) {
    const params = query(groupBy ? { group_by: groupBy } : {}, filtered);
    const response = await fetch(url + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    let body = null;
    try {
      body = await response.json();
    } catch (parseError) {
      body = null;
    }
    if (!response.ok) {
      const message = body && body.error ? body.error.message : response.statusText;
      throw new Error(message);
    }
    return body.results;
  }

  function percent(rate) {
    return rate === null || rate === undefined ? null : Math.round(rate * 1000) / 10;
  }

  function show(value) {
    if (value === null || value === undefined) {
      return "–";
    }
    return typeof value === "number" ? numberFormat.format(Math.round(value * 10) / 10) : String(value);
  }

  const LABELS = {
    program: (row) => row.program_code,
    sector: (row) => row.sector_label,
    country: (row) => row.country_name || row.country || strings.none,
    month: (row) => row.month || strings.not_submitted,
    outcomes_country: (row) => row.country_name || row.country || strings.none,
    ip_country: (row) => row.country_name || row.country,
  };

  // What each chart plots: [metric, label, chart type, axis].
  const SERIES = {
    program: [
      ["applications", strings.applications, "bar", "y"],
      ["approved", strings.approved, "bar", "y"],
    ],
    sector: [
      ["applications", strings.applications, "bar", "y"],
      ["approval_rate", strings.approval_rate, "line", "y2"],
    ],
    country: [
      ["applications", strings.applications, "bar", "y"],
      ["contracts_usd", strings.contracts_usd, "line", "y2"],
    ],
    month: [
      ["applications", strings.applications, "line", "y"],
      ["decided", strings.decided, "line", "y"],
    ],
    outcomes_country: [
      ["contracts_usd", strings.contracts_usd, "bar", "y"],
      ["consultation_usd", strings.consultation_usd, "bar", "y"],
    ],
    ip_country: [["filings", strings.filings, "bar", "y"]],
  };

  // Extra columns in each chart's data table. "allocated" and "allocated_of_capacity" are not
  // API fields: the API gives allocated and capacity figures in three fields each, one per
  // capacity unit (allocated_krw, allocated_booths, allocated_seats, capacity_krw…), never
  // added together; the table names the unit beside each figure.
  const TABLE_EXTRA = {
    program: [["allocated_of_capacity", strings.allocated_of_capacity]],
    sector: [
      ["firms", strings.firms],
      ["allocated", strings.allocated],
    ],
    country: [["firms", strings.firms]],
    month: [["approved", strings.approved]],
    outcomes_country: [
      ["reports", strings.outcome_reports],
      ["firms", strings.firms],
    ],
    ip_country: [["firms", strings.firms]],
  };

  const UNITS = [
    ["krw", strings.units.krw],
    ["booths", strings.units.booths],
    ["seats", strings.units.seats],
  ];

  // "30,000,000 KRW · 4 booths" (allocated), or "50,000,000 / 300,000,000 KRW" (allocated of
  // capacity): the row's figures in each unit its programs count in (a unit with capacity or
  // allocations), "0" when there is none. A no-break space keeps each figure with its unit.
  function byUnit(row, withCapacity) {
    const parts = UNITS.filter(([suffix]) => row["allocated_" + suffix] || row["capacity_" + suffix]).map(
      ([suffix, label]) => {
        const allocated = numberFormat.format(row["allocated_" + suffix] || 0);
        const capacity = row["capacity_" + suffix];
        const figure =
          withCapacity && capacity !== null && capacity !== undefined
            ? allocated + " / " + numberFormat.format(capacity)
            : allocated;
        return figure + "\u00a0" + label;
      }
    );
    return parts.length ? parts.join(" · ") : "0";
  }

  function metricValue(row, metric) {
    if (metric === "allocated" || metric === "allocated_of_capacity") {
      return byUnit(row, metric === "allocated_of_capacity");
    }
    return metric === "approval_rate" ? percent(row[metric]) : row[metric];
  }

  function renderTable(container, chart, rows) {
    const columns = SERIES[chart].map(([metric, label]) => [metric, label]).concat(TABLE_EXTRA[chart]);
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    const first = document.createElement("th");
    first.scope = "col";
    head.appendChild(first);
    for (const [, label] of columns) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const row of rows) {
      const tr = body.insertRow();
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = LABELS[chart](row);
      tr.appendChild(th);
      for (const [metric] of columns) {
        tr.insertCell().textContent = show(metricValue(row, metric));
      }
    }
    container.replaceChildren(table);
  }

  function renderChart(chart, rows) {
    const card = root.querySelector('[data-chart="' + chart + '"]');
    const canvas = card.querySelector("canvas");
    const series = SERIES[chart];
    const usesSecondAxis = series.some((item) => item[3] === "y2");
    if (charts[chart]) {
      charts[chart].destroy();
    }
    charts[chart] = new window.Chart(canvas, {
      data: {
        labels: rows.map(LABELS[chart]),
        datasets: series.map(([metric, label, type, axis]) => ({
          type: type,
          label: label,
          yAxisID: axis,
          data: rows.map((row) => metricValue(row, metric)),
        })),
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: Object.assign(
          { y: { beginAtZero: true } },
          usesSecondAxis ? { y2: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } } } : {}
        ),
      },
    });
    renderTable(card.querySelector(".chart-table"), chart, rows);
    const [url, groupBy, filtered] = SOURCES[chart];
    card.querySelector(".chart-csv").href = url + "?" + query({ group_by: groupBy, format: "csv" }, filtered).toString();
  }

  function renderTotals(rows) {
    const totals = rows[0] || {};
    for (const element of root.querySelectorAll("[data-metric]")) {
      const metric = element.dataset.metric;
      element.textContent = show(metricValue(totals, metric));
    }
  }

  async function refresh() {
    statusLine.textContent = strings.loading;
    try {
      const [totals, ...grouped] = await Promise.all([
        fetchStats(statsUrl, null, true),
        ...CHARTS.map((chart) => fetchStats(...SOURCES[chart])),
      ]);
      renderTotals(totals);
      CHARTS.forEach((chart, index) => renderChart(chart, grouped[index]));
      statusLine.textContent = totals.length && totals[0].applications ? "" : strings.empty;
    } catch (error) {
      statusLine.textContent = strings.error + " " + error.message;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    history.replaceState(null, "", "?" + query().toString());
    refresh();
  });
  refresh();
})();
