package io.github.ddbstreams.flink.source.aws;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileFileSupplier;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleWithWebIdentityCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/** Turns an {@link AwsConfig} into SDK credentials providers. Builds no connection itself. */
final class AwsCredentialsProviders {

    private AwsCredentialsProviders() {}

    static CloseableCredentialsProvider create(AwsConfig config, Region stsRegion) {
        List<SdkAutoCloseable> resources = new ArrayList<>();
        try {
            AwsCredentialsProvider provider = base(config, stsRegion, resources);
            if (config.assumeRoleArn != null) {
                provider = assumeRole(config, stsRegion, provider, resources);
            }
            return new CloseableCredentialsProvider(provider, resources);
        } catch (RuntimeException e) {
            CloseableCredentialsProvider.closeAll(resources);
            throw e;
        }
    }

    private static AwsCredentialsProvider base(
            AwsConfig config, Region stsRegion, List<SdkAutoCloseable> resources) {
        switch (config.credentialsSource) {
            case STATIC:
                return StaticCredentialsProvider.create(
                        config.sessionToken == null
                                ? AwsBasicCredentials.create(
                                        config.accessKeyId, config.secretAccessKey)
                                : AwsSessionCredentials.create(
                                        config.accessKeyId,
                                        config.secretAccessKey,
                                        config.sessionToken));
            case PROFILE:
                ProfileCredentialsProvider.Builder profile =
                        ProfileCredentialsProvider.builder().profileName(config.profileName);
                if (config.profileFile != null) {
                    // Reloaded when modified, so that a rotated credentials file is picked up.
                    profile.profileFile(
                            ProfileFileSupplier.reloadWhenModified(
                                    Paths.get(config.profileFile), ProfileFile.Type.CREDENTIALS));
                }
                return own(profile.build(), resources);
            case WEB_IDENTITY:
                return webIdentity(config, stsRegion, resources);
            case DEFAULT_CHAIN:
            default:
                return own(DefaultCredentialsProvider.builder().build(), resources);
        }
    }

    private static AwsCredentialsProvider webIdentity(
            AwsConfig config, Region stsRegion, List<SdkAutoCloseable> resources) {
        // AssumeRoleWithWebIdentity is unsigned: the token is the proof.
        StsClient sts =
                own(stsClient(config, stsRegion, AnonymousCredentialsProvider.create()), resources);
        Path tokenFile = Paths.get(config.webIdentityTokenFile);
        String roleArn = config.webIdentityRoleArn;
        String sessionName = config.webIdentitySessionName;
        return own(
                StsAssumeRoleWithWebIdentityCredentialsProvider.builder()
                        .stsClient(sts)
                        // A supplier, so that each refresh reads the token anew: Kubernetes
                        // rotates projected service account tokens.
                        .refreshRequest(
                                () ->
                                        AssumeRoleWithWebIdentityRequest.builder()
                                                .roleArn(roleArn)
                                                .roleSessionName(sessionName)
                                                .webIdentityToken(readToken(tokenFile))
                                                .build())
                        .build(),
                resources);
    }

    private static AwsCredentialsProvider assumeRole(
            AwsConfig config,
            Region stsRegion,
            AwsCredentialsProvider baseCredentials,
            List<SdkAutoCloseable> resources) {
        StsClient sts = own(stsClient(config, stsRegion, baseCredentials), resources);
        Integer durationSeconds =
                config.assumeRoleDuration == null
                        ? null
                        : Math.toIntExact(config.assumeRoleDuration.getSeconds());
        return own(
                StsAssumeRoleCredentialsProvider.builder()
                        .stsClient(sts)
                        .refreshRequest(
                                r ->
                                        r.roleArn(config.assumeRoleArn)
                                                .roleSessionName(config.assumeRoleSessionName)
                                                .externalId(config.assumeRoleExternalId)
                                                .durationSeconds(durationSeconds))
                        .build(),
                resources);
    }

    private static StsClient stsClient(
            AwsConfig config, Region region, AwsCredentialsProvider credentials) {
        var builder =
                StsClient.builder()
                        .region(region)
                        .credentialsProvider(credentials)
                        .httpClientBuilder(Apache5HttpClient.builder());
        if (config.stsEndpointOverride != null) {
            builder.endpointOverride(config.stsEndpointOverride);
        }
        return builder.build();
    }

    private static String readToken(Path tokenFile) {
        try {
            return Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            // The message names the file and the failure, never the token.
            throw new IllegalStateException(
                    "awsConfig.webIdentityTokenFile: cannot read the web identity token from '"
                            + tokenFile
                            + "': "
                            + e,
                    e);
        }
    }

    private static <T extends SdkAutoCloseable> T own(T resource, List<SdkAutoCloseable> owned) {
        owned.add(resource);
        return resource;
    }
}
