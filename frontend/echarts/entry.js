// The ECharts the dashboards need, and nothing else (static/js/charts.js draws line, bar and pie charts
// with a legend, axis tooltips and a category/value grid on canvas). The full dist file is 1 MiB; this is
// about a third, which keeps every dashboard under the 300 KiB-compressed page budget (docs/performance.md).
// A new chart type or component in charts.js must be added here and the file rebuilt (npm run build).
import * as echarts from "echarts/core";
import { BarChart, LineChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { LabelLayout } from "echarts/features";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, LabelLayout, CanvasRenderer]);

// charts.js reads the global, as it did with the full dist build.
window.echarts = echarts;
