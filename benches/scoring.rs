//! Native scoring speed on the reference workload (run by `npm run bench`, which writes the
//! encoded leads and the expected totals to files first; see bench/run.mjs). Without those files
//! it benchmarks nothing and says so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

// Criterion is a native-only dev-dependency; on wasm32 (linted with --all-targets) this is empty.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

#[cfg(not(target_arch = "wasm32"))]
mod native {

    use criterion::{criterion_group, Criterion, Throughput};
    use leadscore::flat::FlatModel;
    use leadscore::model::ModelSet;
    use leadscore::value::Value;
    use std::hint::black_box;

    struct Workload {
        flat: FlatModel,
        /// One row per lead: codes then numbers.
        rows: Vec<f64>,
        expected: Vec<f64>,
        width: usize,
    }

    fn load() -> Option<Workload> {
        let dir = std::env::var("LEADSCORE_BENCH_DIR").ok()?;
        let model: Value = serde_json::from_str(&std::fs::read_to_string(format!("{dir}/model.json")).ok()?).ok()?;
        let set = ModelSet::parse(&model).unwrap();
        let flat = FlatModel::compile(&set.models[0]).unwrap();
        let read_f64s = |name: &str| -> Vec<f64> {
            let bytes = std::fs::read(format!("{dir}/{name}")).unwrap();
            bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect()
        };
        let rows = read_f64s("leads.f64");
        let expected = read_f64s("expected.f64");
        let width = 2 * flat.fields.len();
        assert_eq!(rows.len(), expected.len() * width, "encoded leads and expected totals disagree in count");
        Some(Workload { flat, rows, expected, width })
    }

    fn scoring(c: &mut Criterion) {
        let Some(w) = load() else {
            eprintln!("LEADSCORE_BENCH_DIR not set or incomplete: run `npm run bench`");
            return;
        };
        let n = w.expected.len();
        let fields = w.width / 2;
        // Every lead must score exactly as the hand-written JavaScript reference did.
        for (i, row) in w.rows.chunks_exact(w.width).enumerate() {
            let total = w.flat.score(&row[..fields], &row[fields..]) as f64 / 100.0;
            assert_eq!(total, w.expected[i], "lead {i} disagrees with the reference");
        }
        let mut group = c.benchmark_group("reference-workload");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function("native-flat", |b| {
            b.iter(|| {
                let mut sum = 0i64;
                for row in w.rows.chunks_exact(w.width) {
                    sum += w.flat.score(black_box(&row[..fields]), black_box(&row[fields..]));
                }
                sum
            })
        });
        group.finish();
    }

    criterion_group! {
        name = benches;
        config = Criterion::default().sample_size(20).warm_up_time(std::time::Duration::from_secs(1)).measurement_time(std::time::Duration::from_secs(4));
        targets = scoring
    }
}
