using Microsoft.Playwright;

namespace GitOps.Orchestrations.Dashboard.Tests;

/// <summary>
/// The pictures in docs/screenshots, taken by the tests at the moments they check, when
/// <c>GITOPS_SCREENSHOTS</c> names a folder (docs/screenshots/update sets it). Otherwise nothing is written.
/// </summary>
public static class Screenshots
{
    static readonly string? Folder = Environment.GetEnvironmentVariable("GITOPS_SCREENSHOTS") is { Length: > 0 } folder ? folder : null;

    public static async Task TakeAsync(IPage page, string name, bool fullPage = false)
    {
        if (Folder is null)
        {
            return;
        }

        Directory.CreateDirectory(Folder);
        // Fonts and layout settle before the picture, so that reruns give the same image.
        await page.EvaluateAsync("() => document.fonts.ready");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder, $"{name}.png"), FullPage = fullPage, Animations = ScreenshotAnimations.Disabled });
    }
}
