namespace GitOps.Orchestrations.Testing;

/// <summary>
/// The system's Chromium, which the dashboard's tests and benchmark launch by path (Playwright's own
/// browser download is not what users have). <c>GITOPS_CHROMIUM</c> names another binary.
/// </summary>
public static class SystemChromium
{
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("GITOPS_CHROMIUM") is { Length: > 0 } given ? given
        : new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists)
          ?? throw new InvalidOperationException("no Chromium found: install it (apt-get install chromium) or set GITOPS_CHROMIUM to a Chromium or Chrome binary");

    /// <summary>Containers and CI users run without the kernel features Chromium's sandbox needs.</summary>
    public static readonly string[] Args = ["--no-sandbox", "--disable-dev-shm-usage"];
}
