// The oversight dashboard's charts. Served as a file by the API (the page's CSP allows no inline
// script), it reads the report the server rendered into the page, so it makes no request of its
// own and needs no credential. Without it the page still shows every figure in its tables.
(() => {
  const COUNTS = [
    { field: 'holdsOpened', label: 'WSO holds', color: '#1f4e79' },
    { field: 'transferredInTime', label: 'Transferred in time', color: '#2e7d32' },
    { field: 'releasedByDeadline', label: 'Released by deadline', color: '#6a1b9a' },
    { field: 'overdue', label: 'Overdue', color: '#c62828' },
  ];
  const HOURS = [
    { field: 'medianHoursToTransfer', label: 'Median hours to transfer', color: '#00695c' },
    { field: 'p95HoursToTransfer', label: 'p95 hours to transfer', color: '#ef6c00' },
  ];
  const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  const source = document.getElementById('report-data');
  const uPlot = window.uPlot;
  if (!source || typeof uPlot !== 'function') return;
  const report = JSON.parse(source.textContent || '{}');

  /** Months are calendar months, not instants: x is the month's index, labelled "Mar 2026". */
  const monthLabel = (month) => `${MONTH_NAMES[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;

  const charts = [];

  function draw(element, months, series, yLabel) {
    const xs = months.map((_, index) => index);
    const options = {
      width: Math.max(320, element.clientWidth || 560),
      height: 240,
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, months.length - 0.5)] } },
      axes: [
        {
          values: (_, splits) =>
            splits.map((split) =>
              Number.isInteger(split) && months[split] ? monthLabel(months[split].month) : '',
            ),
          incrs: [1],
        },
        { label: yLabel, size: 56 },
      ],
      cursor: { drag: { x: false, y: false } },
      // Labels only: the exact figures are in the tables below each chart.
      legend: { live: false },
      series: [
        {
          label: 'Month',
          value: (_, index) => (index == null || !months[index] ? '' : monthLabel(months[index].month)),
        },
        ...series.map((item) => ({
          label: item.label,
          stroke: item.color,
          width: 2,
          points: { show: true, size: 7, fill: item.color },
          spanGaps: false,
        })),
      ],
    };
    const data = [xs, ...series.map((item) => months.map((month) => month[item.field]))];
    charts.push({ element, chart: new uPlot(options, data, element) });
    element.dataset.rendered = 'true';
  }

  for (const element of document.querySelectorAll('[data-chart]')) {
    const tenantId = element.dataset.tenant;
    const county = tenantId ? report.counties.find((item) => item.tenantId === tenantId) : undefined;
    const months = county ? county.months : report.monthlyTotals;
    if (!months) continue;
    if (element.dataset.chart === 'outcomes') draw(element, months, COUNTS, 'holds');
    else if (element.dataset.chart === 'hours') draw(element, months, HOURS, 'hours');
  }

  let pending;
  window.addEventListener('resize', () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      for (const { element, chart } of charts) {
        chart.setSize({ width: Math.max(320, element.clientWidth || 560), height: 240 });
      }
    }, 150);
  });
})();
