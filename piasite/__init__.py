"""Static-site generator for 特定個人情報保護評価書 (My Number privacy impact assessments)."""
