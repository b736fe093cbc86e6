import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SESSION_PACKAGE_VERSION } from '@nest-hive/session';

@Controller('api')
class PingController {
  @Get('ping')
  ping(): { pid: number; v: string } {
    return { pid: process.pid, v: SESSION_PACKAGE_VERSION };
  }
}

@Module({ controllers: [PingController] })
class AppModule {}

const app = await NestFactory.create(AppModule);
await app.listen(Number(process.env.PORT ?? 3000));
