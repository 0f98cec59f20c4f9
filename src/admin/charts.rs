//! Small server-rendered SVG charts of a workspace's figures over time.

/// One figure over the last days, as an SVG polyline.
pub struct Chart {
    pub label: &'static str,
    /// The latest value, as shown.
    pub latest: String,
    /// The highest value, as shown (the top of the chart).
    pub peak: String,
    /// `x,y` pairs in a 240 × 60 box.
    pub points: String,
    pub days: usize,
}

pub const WIDTH: f64 = 240.0;
pub const HEIGHT: f64 = 60.0;

impl Chart {
    /// "30 days", "1 day".
    pub fn span(&self) -> String {
        crate::web::plural::count(self.days as i64, "day", "days")
    }

    pub fn new(label: &'static str, values: &[i64], show: fn(i64) -> String) -> Self {
        let peak = values.iter().copied().max().unwrap_or(0).max(1);
        // One day is a level line, so a new workspace's chart is not blank.
        let days = values.len();
        let values: Vec<i64> = if days == 1 { vec![values[0]; 2] } else { values.to_vec() };
        let step = if values.len() > 1 { WIDTH / (values.len() - 1) as f64 } else { 0.0 };
        let points = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let x = if values.len() > 1 { i as f64 * step } else { WIDTH / 2.0 };
                let y = HEIGHT - 4.0 - (*v as f64 / peak as f64) * (HEIGHT - 8.0);
                format!("{x:.1},{y:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ");
        Self {
            label,
            latest: show(values.last().copied().unwrap_or(0)),
            peak: show(values.iter().copied().max().unwrap_or(0)),
            points,
            days,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_spans_the_box() {
        let chart = Chart::new("Images", &[0, 5, 10], |n| n.to_string());
        assert_eq!(chart.points, "0.0,56.0 120.0,30.0 240.0,4.0");
        assert_eq!((chart.latest.as_str(), chart.peak.as_str(), chart.days), ("10", "10", 3));
        assert_eq!(Chart::new("Empty", &[], |n| n.to_string()).points, "");
        assert_eq!(Chart::new("New", &[3], |n| n.to_string()).points, "0.0,4.0 240.0,4.0");
    }
}
