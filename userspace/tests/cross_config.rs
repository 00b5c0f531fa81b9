//! Cross.toml, checked as configuration (no container engine here to run `cross`): it must target what
//! `make userspace` targets, pin its image, and get the same static linking.

fn read(path: &str) -> toml::Table {
    let text = std::fs::read_to_string(format!("{}/../{path}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    text.parse().unwrap_or_else(|e| panic!("{path} is not valid TOML: {e}"))
}

#[test]
fn cross_targets_what_make_userspace_builds() {
    let cross = read("Cross.toml");
    let target = cross["build"]["default-target"].as_str().expect("build.default-target");
    assert_eq!(target, "aarch64-unknown-linux-gnu");
    let script =
        std::fs::read_to_string(format!("{}/../scripts/userspace.sh", env!("CARGO_MANIFEST_DIR"))).unwrap();
    assert!(script.contains(&format!("target={target}")), "scripts/userspace.sh builds another target");

    let image = cross["target"][target]["image"].as_str().expect("target image");
    let (name, tag) = image.rsplit_once(':').expect("the image has a tag");
    assert!(name.starts_with("ghcr.io/cross-rs/") && name.ends_with(target), "{image}");
    assert!(tag != "latest" && tag != "main", "the image is pinned, not {tag}");
}

#[test]
fn the_target_is_linked_statically_for_cross_and_make_alike() {
    let config = read(".cargo/config.toml");
    let flags = config["target"]["aarch64-unknown-linux-gnu"]["rustflags"].as_array().expect("rustflags");
    assert!(flags.iter().any(|f| f.as_str() == Some("target-feature=+crt-static")), "{flags:?}");
}
