"""The render check of the storefront: one Selenium script, run here and as a Synthetics canary.

- `render_check.py`: the steps (standard library + Selenium only, as the canary runtime has);
- `synthetics.py`: the CloudWatch Synthetics handler (`aws_synthetics` stays in that file);
- `local.py`: headless Chromium here, with the evidence of a failure under .woocom/canary/;
- `__main__.py`: `nox -s canary -- <target>`;
- `package.py`: the canary's zip for Terraform.
"""
