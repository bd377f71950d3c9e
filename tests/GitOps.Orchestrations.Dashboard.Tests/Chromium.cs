using GitOps.Orchestrations.Testing;
using Microsoft.Playwright;

namespace GitOps.Orchestrations.Dashboard.Tests;

/// <summary>
/// One headless Chromium for the test run: the system's (Debian's <c>chromium</c>), launched by path,
/// since Playwright's own browser download is not what users have. <c>GITOPS_CHROMIUM</c> names
/// another binary. Without a browser the tests fail, saying how to install one: tests/run does.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    IPlaywright playwright = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = SystemChromium.ExecutablePath,
            Headless = true,
            Args = SystemChromium.Args,
        });
    }

    /// <summary>
    /// A fresh browser context (its own session storage) at <paramref name="baseUrl"/>, signed in with
    /// <paramref name="apiKey"/> when given. Script errors on the page fail the test that opened it.
    /// </summary>
    public async Task<DashboardPage> OpenAsync(string baseUrl, string? apiKey, int width = 1280, int height = 900)
    {
        IBrowserContext context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, BaseURL = baseUrl });
        IPage page = await context.NewPageAsync();
        var page1 = new DashboardPage(context, page);
        await page.GotoAsync("/ui/");
        if (apiKey is not null)
        {
            await page1.SignInAsync(apiKey);
        }

        return page1;
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Chromium>
{
    public const string Name = "browser";
}

/// <summary>A page of the dashboard, and every script error it raised.</summary>
public sealed class DashboardPage : IAsyncDisposable
{
    readonly List<string> errors = [];

    public DashboardPage(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) =>
        {
            // A failed request is the API's answer, shown on the page; anything else is a defect.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                errors.Add(message.Text);
            }
        };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public IReadOnlyList<string> Errors => errors;

    public async Task SignInAsync(string apiKey)
    {
        await Page.GotoAsync("/ui/#/signin");
        await Page.GetByLabel("Credential", new() { Exact = true }).SelectOptionAsync("apiKey");
        await Page.GetByLabel("Secret", new() { Exact = true }).FillAsync(apiKey);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // Signed in, the dashboard goes on to the runs: only then is it ready for the test to navigate.
        try
        {
            // Polled rather than WaitForURL, which can miss a same-document (hash) navigation that lands between its check and its listener.
            await Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/runs$"));
            await Page.GetByRole(AriaRole.Heading, new() { Name = "Runs" }).WaitForAsync();
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; at {Page.Url}, the page says: {await Page.Locator("main").InnerTextAsync()}; script errors: {string.Join("; ", errors)}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        Assert.True(errors.Count == 0, "script errors on the page:\n" + string.Join("\n", errors));
    }
}
