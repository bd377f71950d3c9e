using System.Security.Cryptography;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace GitOps.Orchestrations.Engine.Notifications.Channels;

/// <summary>
/// Email over SMTP (MailKit): one plain-text message to the channel's recipients. Its Message-ID
/// comes from the idempotency key, so a mail system that sees the same message twice can tell.
/// </summary>
public sealed class EmailChannel : INotificationChannel
{
    public string Type => "email";

    public async Task SendAsync(ChannelSpec channel, RenderedNotification message, string key, CancellationToken cancellationToken)
    {
        var mail = new MimeMessage
        {
            Subject = $"[gitops] {message.Title}: {message.Event.Workflow} {message.Event.RunId}",
            Body = new TextPart("plain") { Text = message.Text },
            MessageId = $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32]}@gitops.orchestrations",
        };
        mail.From.Add(MailboxAddress.Parse(channel.From!));
        foreach (string to in channel.To)
        {
            mail.To.Add(MailboxAddress.Parse(to));
        }

        using var smtp = new SmtpClient { Timeout = 30_000 };
        SecureSocketOptions security = channel.SmtpSecurity switch
        {
            "none" => SecureSocketOptions.None,
            "tls" => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTls,
        };
        try
        {
            await smtp.ConnectAsync(channel.SmtpHost!, channel.SmtpPort, security, cancellationToken);
            if (channel.SmtpUser is string user)
            {
                await smtp.AuthenticateAsync(user, channel.SmtpPasswordEnv is string variable ? Environment.GetEnvironmentVariable(variable) ?? string.Empty : string.Empty, cancellationToken);
            }

            await smtp.SendAsync(mail, cancellationToken);
            await smtp.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception e) when (e is MailKit.ProtocolException or MailKit.CommandException or IOException or System.Net.Sockets.SocketException or AuthenticationException)
        {
            throw new NotificationFailedException($"email: {e.Message}");
        }
    }
}
